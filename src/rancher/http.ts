import { got, HTTPError, ParseError, RequestError, type Got, type Response } from "got";
import { EnrollError } from "../errors.js";
import type { Logger } from "../log.js";

export interface Credentials {
  accessKey: string;
  secretKey: string;
}

/** Error body every Rancher API generation answers with (`type: "error"`). */
interface ApiErrorBody {
  type?: string;
  status?: number;
  code?: string;
  message?: string;
  detail?: string | null;
}

/** JSON over HTTP to one Rancher server; paths are resolved against its base URL, links are followed on it. */
export class ApiClient {
  private readonly http: Got;
  private serverVersion: string | undefined;
  private requests = 0;

  constructor(
    readonly baseUrl: string,
    private readonly credentials: Credentials,
    private readonly log: Logger,
  ) {
    this.http = got.extend({
      username: credentials.accessKey,
      password: credentials.secretKey,
      headers: { accept: "application/json", "x-api-no-challenge": "true" },
      responseType: "json",
      timeout: { request: 30_000 },
      retry: { limit: 2, methods: ["GET"] },
      hooks: {
        beforeRequest: [
          (options) => {
            this.requests += 1;
            this.log.debug({ method: options.method, url: String(options.url) }, "api request");
          },
        ],
        afterResponse: [(response) => this.remember(response)],
      },
    });
  }

  get version(): string | undefined {
    return this.serverVersion;
  }

  get requestCount(): number {
    return this.requests;
  }

  async get<T>(path: string, searchParams?: Record<string, string>): Promise<T> {
    return this.call(() => this.http.get(this.resolve(path, searchParams)).json<T>());
  }

  async post<T>(path: string, body: object = {}): Promise<T> {
    return this.call(() => this.http.post(this.resolve(path), { json: body }).json<T>());
  }

  async delete<T>(path: string): Promise<T> {
    return this.call(() => this.http.delete(this.resolve(path)).json<T>());
  }

  /**
   * Links in Rancher's answers name the host the server believes it has; behind a proxy that can differ from
   * ours, and credentials must never be sent elsewhere: keep a link's path and query, on our origin.
   */
  private resolve(pathOrLink: string, searchParams?: Record<string, string>): URL {
    const url = /^https?:\/\//.test(pathOrLink)
      ? new URL(pathOrLink.replace(/^https?:\/\/[^/]+/, ""), this.baseUrl)
      : new URL(pathOrLink, `${this.baseUrl}/`);
    for (const [key, value] of Object.entries(searchParams ?? {})) url.searchParams.set(key, value);
    return url;
  }

  private remember(response: Response): Response {
    const version = response.headers["x-rancher-version"];
    if (typeof version === "string") this.serverVersion = version;
    return response;
  }

  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw this.explain(error);
    }
  }

  private explain(error: unknown): EnrollError {
    if (error instanceof HTTPError) return this.explainStatus(error);
    if (error instanceof ParseError) {
      return new EnrollError(
        "server",
        `${this.baseUrl} answered with something that is not JSON`,
        "Check that the URL points at a Rancher server.",
        { cause: error },
      );
    }
    if (error instanceof RequestError) {
      return new EnrollError(
        "server",
        `cannot reach the Rancher server at ${this.baseUrl} (${error.code ?? error.message})`,
        "Check the server URL (--url or RANCHER_URL), that the server is running, and that this machine can reach it.",
        { cause: error },
      );
    }
    return error instanceof EnrollError
      ? error
      : new EnrollError("internal", String(error), undefined, { cause: error });
  }

  private explainStatus(error: HTTPError): EnrollError {
    const status = error.response.statusCode;
    const body = error.response.body as ApiErrorBody | undefined;
    const said = [
      body?.code,
      body?.message && body.message !== body.code ? body.message : undefined,
      body?.detail,
    ]
      .filter(Boolean)
      .join(": ");
    const what = `${error.options.method} ${new URL(String(error.options.url)).pathname} answered ${status}${said ? ` (${said})` : ""}`;
    if (status === 401) {
      return new EnrollError(
        "auth",
        `the server rejected the API key ${this.credentials.accessKey}: ${what}`,
        "Check RANCHER_ACCESS_KEY and RANCHER_SECRET_KEY (an environment or account API key of this server).",
      );
    }
    if (status === 403) {
      return new EnrollError(
        "auth",
        `the API key ${this.credentials.accessKey} is not allowed to do this: ${what}`,
        "Use a key of the target environment, or an account key that is a member of it with permission to add hosts.",
      );
    }
    if (status === 404) return new EnrollError("not-found", what);
    return new EnrollError(
      "server",
      what,
      status >= 500 ? "The server failed; try again later or check its logs." : undefined,
    );
  }
}
