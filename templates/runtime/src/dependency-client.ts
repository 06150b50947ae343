import { RUNTIME_DEFAULTS } from "../../../infra/spec/runtime-defaults.js";
import {
  DependencyResilience,
  type DependencySettings,
  type ResilienceObserver,
  Unavailable,
} from "./dependency-resilience.js";
import { DependencyError } from "./dependency-error.js";
import { REQUEST_ID_HEADER, currentRequestId } from "./request-context.js";

export { DependencyError };

/** The settings of a dependency with the defaults, and `timeoutMs` as given. */
export function defaultDependencySettings(
  timeoutMs: number = RUNTIME_DEFAULTS.dependency.timeoutMs,
): DependencySettings {
  return { ...RUNTIME_DEFAULTS.dependency, timeoutMs };
}

/** A dependency's answer: its status and its body (parsed when it is JSON). */
export interface DependencyResponse<T = unknown> {
  readonly status: number;
  readonly ok: boolean;
  readonly body: T;
}

/**
 * Calls one dependency, at the URL the platform sets in `<NAME>_URL`. Every call carries
 * the current request id and goes through the dependency's {@link DependencyResilience}:
 * a timeout for the whole call, retries of idempotent calls that got no answer (within a
 * retry budget), and a circuit breaker. Retries happen here and nowhere else: a retry at
 * every layer multiplies the load on a dependency that is already failing.
 */
export class DependencyClient {
  /** The timeout, retries and breaker of this dependency's calls. */
  readonly resilience: DependencyResilience;

  constructor(
    /** The dependency's service name. */
    readonly name: string,
    /** Its base URL, like http://orders:8080. */
    readonly baseUrl: URL,
    /** Its settings, or only its timeout in milliseconds (the other settings' defaults then). */
    settings: DependencySettings | number,
    /** What counts its retries and breaker changes. @default nothing */
    observer?: ResilienceObserver,
  ) {
    this.resilience = new DependencyResilience(
      name,
      typeof settings === "number" ? defaultDependencySettings(settings) : settings,
      observer,
    );
  }

  /**
   * Any call; answers with the status and body, whatever the status. Throws a
   * {@link DependencyError} only when there is no answer (with `retryAfterSeconds`) or a
   * JSON answer is malformed.
   */
  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<DependencyResponse<T>> {
    const url = new URL(
      path.replace(/^\/*/, ""),
      this.baseUrl.href.endsWith("/") ? this.baseUrl : `${this.baseUrl.href}/`,
    );
    const headers: Record<string, string> = { accept: "application/json" };
    const requestId = currentRequestId();
    if (requestId) headers[REQUEST_ID_HEADER] = requestId;
    if (body !== undefined) headers["content-type"] = "application/json";
    let answer: { response: Response; text: string };
    try {
      answer = await this.resilience.call(method, async (signal) => {
        const response = await fetch(url, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal,
        });
        return { response, text: await response.text() };
      });
    } catch (error) {
      if (!(error instanceof Unavailable)) throw error;
      const { timeoutMs } = this.resilience.settings;
      const reason =
        error.reason === "circuit-open"
          ? "is unavailable: its circuit breaker is open after attempts that got no answer; no call was made"
          : error.lastAttempt?.kind === "failed"
            ? `cannot be reached at ${this.baseUrl.origin} (${causeOf(error.lastAttempt.cause)})`
            : `did not answer within ${timeoutMs} ms`;
      throw new DependencyError(this.name, `${method} ${url.pathname}: ${reason}`, undefined, error.retryAfterSeconds);
    }
    const { response, text } = answer;
    const isJson = (response.headers.get("content-type") ?? "").includes("json") && text !== "";
    let parsed: unknown = text;
    if (isJson) {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new DependencyError(
          this.name,
          `${method} ${url.pathname}: answered with malformed JSON`,
          response.status,
        );
      }
    }
    return { status: response.status, ok: response.ok, body: parsed as T };
  }

  /** GET a JSON resource; a non-2xx answer throws a `DependencyError` with the status. */
  async getJson<T = unknown>(path: string): Promise<T> {
    return this.expectOk<T>("GET", path);
  }

  /** POST a JSON body; a non-2xx answer throws a `DependencyError` with the status. */
  async postJson<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.expectOk<T>("POST", path, body);
  }

  private async expectOk<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.request<T>(method, path, body);
    if (!response.ok)
      throw new DependencyError(this.name, `${method} ${path}: answered ${response.status}`, response.status);
    return response.body;
  }
}

function causeOf(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
