/** The namespace of the RabbitMQ cluster operator (the one its own manifests use). */
export const RABBITMQ_OPERATOR_NAMESPACE = "rabbitmq-system";

/**
 * The values of CloudNativePG's operator chart: it installs the CRDs of the `Cluster` and
 * `ScheduledBackup` objects the service stack makes for a PostgreSQL backing service.
 */
export function cloudnativePgValues(): Record<string, unknown> {
  return { crds: { create: true } };
}

/**
 * The values of the RabbitMQ cluster operator chart: the operator alone (with the CRD of
 * the `RabbitmqCluster` objects the service stack makes for a queue), not the messaging
 * topology operator, which the platform does not use.
 */
export function rabbitmqOperatorValues(): Record<string, unknown> {
  return { msgTopologyOperator: { enabled: false } };
}
