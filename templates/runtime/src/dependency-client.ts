import { REQUEST_ID_HEADER, currentRequestId } from "./request-context.js";

/** A dependency that did not answer, or answered with an error. */
export class DependencyError extends Error {
  constructor(
    readonly dependency: string,
    message: string,
    /** The dependency's HTTP status, when it answered. */
    readonly status?: number,
  ) {
    super(`${dependency}: ${message}`);
    this.name = "DependencyError";
  }
}

/** A dependency's answer: its status and its body (parsed when it is JSON). */
export interface DependencyResponse<T = unknown> {
  readonly status: number;
  readonly ok: boolean;
  readonly body: T;
}

/**
 * Calls one dependency, at the URL the platform sets in `<NAME>_URL`. Every call has a
 * timeout and carries the current request id. It does not retry: a retry at every hop
 * multiplies the load on a dependency that is already failing.
 */
export class DependencyClient {
  constructor(
    /** The dependency's service name. */
    readonly name: string,
    /** Its base URL, like http://orders:8080. */
    readonly baseUrl: URL,
    private readonly timeoutMs: number,
  ) {}

  /** Any call; answers with the status and body, whatever the status. Throws only when there is no answer. */
  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<DependencyResponse<T>> {
    const url = new URL(
      path.replace(/^\/*/, ""),
      this.baseUrl.href.endsWith("/") ? this.baseUrl : `${this.baseUrl.href}/`,
    );
    const headers: Record<string, string> = { accept: "application/json" };
    const requestId = currentRequestId();
    if (requestId) headers[REQUEST_ID_HEADER] = requestId;
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const reason =
        error instanceof Error && error.name === "TimeoutError"
          ? `did not answer within ${this.timeoutMs} ms`
          : `cannot be reached at ${this.baseUrl.origin} (${causeOf(error)})`;
      throw new DependencyError(this.name, `${method} ${url.pathname}: ${reason}`);
    }
    const text = await response.text();
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
