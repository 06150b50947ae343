import { pino, type DestinationStream, type Logger } from "pino";
import type { ServiceConfig } from "./config.js";
import { TickBatchedDestination } from "./log-destination.js";
import { currentTraceFields } from "./telemetry.js";

export type { DestinationStream, Logger };

/**
 * JSON logs, one object a line on stdout, each with the service and the environment,
 * an ISO time and the level as a word ("level":"info"), which log collectors index
 * without a mapping table.
 * @param destination where lines go; @default stdout, the lines of one turn of the event
 * loop in one write ({@link TickBatchedDestination})
 * @param traced whether tracing is on: then a line written within a span (a request's, a
 * queue message's) carries its `trace_id` and `span_id`; @default false: no field, no cost
 */
export function createLogger(
  config: Pick<ServiceConfig, "serviceName" | "environment" | "logLevel">,
  destination?: DestinationStream,
  traced = false,
): Logger {
  const options = {
    ...(traced ? { mixin: currentTraceFields } : {}),
    level: config.logLevel,
    base: { service: config.serviceName, environment: config.environment },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return pino(options, destination ?? new TickBatchedDestination());
}
