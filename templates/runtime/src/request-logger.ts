import type { Bindings, ChildLoggerOptions, LevelWithSilent, LogFn } from "pino";
import type { Logger } from "./logger.js";

type WritingLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace";

/**
 * A request's logger, as Fastify asks one of its `childLoggerFactory` for every request:
 * the pino child that binds the request id is made at the first line written at an
 * enabled level, not for every request. Most requests write none of their own (the
 * runtime's "request" line goes through the service's logger with the id in it), and
 * making a child costs about as much as routing the request.
 */
export class RequestLogger {
  private made: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions | undefined,
  ) {}

  /** The pino child itself, made now if it was not yet: what a route handler gets. */
  get logger(): Logger {
    this.made ??= this.parent.child(this.bindings, this.options);
    return this.made;
  }

  get level(): LevelWithSilent | string {
    return this.made?.level ?? this.options?.level ?? this.parent.level;
  }

  set level(level: LevelWithSilent | string) {
    this.logger.level = level;
  }

  // Methods, not arrow-function fields: Fastify makes one of these a request, and seven
  // closures a request would be made for lines most requests never write.
  fatal(...args: Parameters<LogFn>): void {
    this.write("fatal", args);
  }
  error(...args: Parameters<LogFn>): void {
    this.write("error", args);
  }
  warn(...args: Parameters<LogFn>): void {
    this.write("warn", args);
  }
  info(...args: Parameters<LogFn>): void {
    this.write("info", args);
  }
  debug(...args: Parameters<LogFn>): void {
    this.write("debug", args);
  }
  trace(...args: Parameters<LogFn>): void {
    this.write("trace", args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.logger.child(bindings, options);
  }

  private write(level: WritingLevel, args: Parameters<LogFn>): void {
    const logger = this.made ?? (this.options?.level === undefined ? this.parent : this.logger);
    if (!logger.isLevelEnabled(level)) return;
    (this.logger[level] as (...a: unknown[]) => void)(...args);
  }
}
