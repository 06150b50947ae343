import type { DockerEnvironment } from "../../environments.js";

/**
 * Names of the Docker resources of the local environment, in one place: the target
 * creates them, the local Prometheus scrapes them, the container tests run them.
 */

/** A service replica's container: `platform-local-orders-1`. */
export function containerName(environment: DockerEnvironment, service: string, replica: number): string {
  return `${environment.namespace}-${service}-${replica}`;
}

/** The service's own network: its replicas and the local Prometheus. */
export function serviceNetworkName(environment: DockerEnvironment, service: string): string {
  return `${environment.namespace}-${service}`;
}

/** The network of one edge: the caller's and the callee's replicas, nobody else. */
export function edgeNetworkName(environment: DockerEnvironment, caller: string, callee: string): string {
  return `${environment.namespace}-${caller}-to-${callee}`;
}

/** The network with a gateway to the host: published ports and declared egress. */
export function outsideNetworkName(environment: DockerEnvironment): string {
  return `${environment.namespace}-outside`;
}

/** The local Prometheus container. */
export function prometheusContainerName(environment: DockerEnvironment): string {
  return `${environment.namespace}-prometheus`;
}

/** The image a `build` service is built into. */
export function localImageName(environment: DockerEnvironment, service: string, version: string): string {
  return `${environment.namespace}/${service}:${version}`;
}

/**
 * A backing service's container, network and volume prefix: `platform-local-orders-db`.
 * The catalogue refuses a service named like it (see `dataResourceName`).
 */
export function dataContainerName(environment: DockerEnvironment, dataName: string): string {
  return `${environment.namespace}-${dataName}`;
}

/** The network a backing service shares with its owner only: `platform-local-orders-db`. */
export function dataNetworkName(environment: DockerEnvironment, dataName: string): string {
  return `${environment.namespace}-${dataName}`;
}

/**
 * The network a backing service shares with one service that reads it (`uses`), and with
 * nobody else: `platform-local-orders-to-fulfilment-queue`, named like the network of a
 * service edge (`<caller>-to-<callee>`). Docker sets no length limit on network names.
 */
export function readerNetworkName(environment: DockerEnvironment, reader: string, dataName: string): string {
  return `${environment.namespace}-${reader}-to-${dataName}`;
}

/** The named volume that holds a backing service's data: `platform-local-orders-db-data`. */
export function dataVolumeName(environment: DockerEnvironment, dataName: string): string {
  return `${environment.namespace}-${dataName}-data`;
}

/** The local Jaeger container: its name is the host of the services' OTLP endpoint. */
export function jaegerContainerName(environment: DockerEnvironment): string {
  return `${environment.namespace}-jaeger`;
}
