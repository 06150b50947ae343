import { BACKING_SERVICE_LABEL } from "../spec/backing-services.js";
/**
 * Settings both targets apply to every service container, so that a container runs
 * the same way on Docker and on Kubernetes.
 */

/** The uid and gid every service container runs as (the templates' Dockerfiles create it). */
export const CONTAINER_USER_ID = 10001;
/** The only writable path: an emptyDir on Kubernetes, a tmpfs on Docker. */
export const WRITABLE_TMP_PATH = "/tmp";
/** Size of the writable /tmp, in MiB. */
export const WRITABLE_TMP_MIB = 64;
/** Seconds a container has between SIGTERM and SIGKILL; the templates drain within it. */
export const TERMINATION_GRACE_SECONDS = 30;
/** Liveness/health check timing shared by both targets. */
export const HEALTH_CHECK = {
  intervalSeconds: 10,
  timeoutSeconds: 3,
  failureThreshold: 3,
  startPeriodSeconds: 10,
};
/** Readiness is polled faster than liveness, so traffic follows readiness quickly. */
export const READINESS_PERIOD_SECONDS = 5;

/**
 * The label of everything the platform makes: on Kubernetes, the Prometheus of the
 * add-ons stack loads the ServiceMonitors and PrometheusRules that carry it.
 */
export const PART_OF_PLATFORM_LABEL = { "app.kubernetes.io/part-of": "platform" } as const;

/** Labels of an object the platform makes: part of the platform, managed by cdktf. */
export const PLATFORM_MANAGED_LABELS = { ...PART_OF_PLATFORM_LABEL, "app.kubernetes.io/managed-by": "cdktf" } as const;

/** Labels that name what a resource belongs to, on both targets. */
export function ownershipLabels(service: string, environment: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": service,
    ...PLATFORM_MANAGED_LABELS,
    "platform.dev/environment": environment,
  };
}

/** The labels a service's pods are selected by. */
export function selectorLabels(service: string): Record<string, string> {
  return { "app.kubernetes.io/name": service };
}

/**
 * The security context of every container the platform runs on Kubernetes (a service's
 * and a Redis store's): no privilege escalation, not privileged, a read-only root file
 * system, non-root, no capabilities, the runtime's default seccomp profile; what the
 * "restricted" Pod Security Standard requires, and the read-only root besides.
 */
export const KUBERNETES_CONTAINER_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/**
 * The labels of a backing service's objects (`orders-db`): its own `app.kubernetes.io/name`,
 * not the owner's (the owner's Service and policies select pods by that), its component,
 * its owner, and `platform.dev/backing-service`, by which the guardrails find data objects.
 */
export function backingServiceLabels(
  name: string,
  owner: string,
  environment: string,
  component: "database" | "cache" | "queue",
): Record<string, string> {
  return {
    ...ownershipLabels(name, environment),
    "app.kubernetes.io/component": component,
    "platform.dev/owner": owner,
    [BACKING_SERVICE_LABEL]: name,
  };
}
