import { got, HTTPError, ParseError, RequestError, type Got, type Response } from "got";
import { EnrollError } from "../errors.js";
import type { Deadline } from "../deadline.js";
import type { Logger } from "../log.js";
import { backoffMs } from "./backoff.js";
import { certificateFailure, fetchPeerCertificate, isCertificateFailure } from "./certificate-failure.js";
import { transportTo, type TlsSettings } from "./transport.js";

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

const REQUEST_TIMEOUT_MS = 30_000;
/** How long describing a refused certificate may take. */
const CERTIFICATE_PROBE_MS = 5_000;

/** JSON over HTTP to one Rancher server; paths are resolved against its base URL, links are followed on it. */
export class ApiClient {
  private readonly http: Got;
  private serverVersion: string | undefined;
  private seenAs: string | undefined;
  private requests = 0;

  constructor(
    readonly baseUrl: string,
    private readonly credentials: Credentials,
    private readonly log: Logger,
    private readonly deadline: Deadline,
    private readonly tls: TlsSettings = {},
  ) {
    const origin = new URL(baseUrl).origin;
    const transport = transportTo(origin, tls);
    if (tls.insecure && origin.startsWith("https:")) log.warn(INSECURE_WARNING(origin));
    if (transport.proxy)
      log.info({ proxy: transport.proxy }, `API requests go through the proxy ${transport.proxy}`);
    this.http = got.extend({
      username: credentials.accessKey,
      password: credentials.secretKey,
      https: transport.https,
      ...(transport.agent ? { agent: transport.agent } : {}),
      headers: { accept: "application/json", "x-api-no-challenge": "true" },
      responseType: "json",
      retry: {
        limit: Number.POSITIVE_INFINITY,
        methods: ["GET", "DELETE"],
        statusCodes: [408, 429, 500, 502, 503, 504],
        enforceRetryRules: true,
        maxRetryAfter: Number.POSITIVE_INFINITY,
        calculateDelay: ({ attemptCount, retryAfter }) => this.retryDelay(attemptCount, retryAfter),
      },
      hooks: {
        beforeRequest: [
          (options) => {
            this.requests += 1;
            options.timeout = {
              request: Math.max(1, Math.min(REQUEST_TIMEOUT_MS, this.deadline.remainingMs())),
            };
            this.log.debug({ method: options.method, url: withoutCredentials(options.url) }, "api request");
          },
        ],
        beforeRetry: [
          (error, count) =>
            this.log.warn(
              { attempt: count, reason: error.code ?? error.message },
              "retrying the API request",
            ),
        ],
        afterResponse: [(response) => this.remember(response)],
      },
    });
  }

  /** The server's Retry-After when it gives one, else exponential backoff with jitter; never past the deadline. */
  private retryDelay(attempt: number, retryAfter: number | undefined): number {
    const delay = retryAfter ?? backoffMs(attempt);
    return delay < this.deadline.remainingMs() ? delay : 0;
  }

  get version(): string | undefined {
    return this.serverVersion;
  }

  /** The address the server sees our requests come from (its X-API-Client-IP header). */
  get clientIp(): string | undefined {
    return this.seenAs;
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
    const clientIp = response.headers["x-api-client-ip"];
    if (typeof clientIp === "string") this.seenAs = clientIp;
    return response;
  }

  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (error instanceof RequestError && isCertificateFailure(error.code))
        throw await this.refusedCertificate(error.code, error.message);
      throw this.explain(error);
    }
  }

  /** Names the certificate: its subject tells the user which server, or which interception, they reached. */
  private async refusedCertificate(code: string, reason: string): Promise<EnrollError> {
    const origin = new URL(this.baseUrl).origin;
    const timeout = Math.max(1, Math.min(CERTIFICATE_PROBE_MS, this.deadline.remainingMs()));
    return certificateFailure(origin, code, reason, await fetchPeerCertificate(origin, timeout), this.tls);
  }

  private explain(error: unknown): EnrollError {
    if (error instanceof HTTPError) return this.explainStatus(error);
    if (error instanceof ParseError) {
      return new EnrollError(
        "server",
        `${this.baseUrl} answered with something that is not JSON`,
        "Check that the URL points at a Rancher server.",
        { cause: withoutOptions(error) },
      );
    }
    if (error instanceof RequestError) {
      return new EnrollError(
        "server",
        `cannot reach the Rancher server at ${this.baseUrl} (${error.code ?? error.message})${attempts(error)}`,
        "Check the server URL (--url or RANCHER_URL), that the server is running, and that this machine can reach it.",
        { cause: withoutOptions(error) },
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
    const what = `${error.options.method} ${new URL(String(error.options.url)).pathname} answered ${status}${said ? ` (${said})` : ""}${attempts(error)}`;
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

const INSECURE_WARNING = (origin: string) =>
  `--insecure: the TLS certificate of ${origin} is NOT verified in rancher-enroll's API calls: whoever is ` +
  "between this machine and the server can read the API key and answer in the server's place. The agent still " +
  "verifies it: give it the server's CA with --ca-cert.";

/** got's errors carry the request's options, credentials included: keep only what tells what failed. */
function withoutOptions(error: RequestError): Error {
  const cause = new Error(error.message);
  Object.assign(cause, { name: error.name, code: error.code, stack: error.stack });
  return cause;
}

/** got keeps the basic-auth credentials in the request's URL: never log them with it. */
function withoutCredentials(url: string | URL | undefined): string {
  const copy = new URL(String(url));
  copy.username = "";
  copy.password = "";
  return copy.href;
}

function attempts(error: RequestError): string {
  const count = (error.request?.retryCount ?? 0) + 1;
  return count > 1 ? `, after ${count} attempts` : "";
}
