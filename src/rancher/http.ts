import { CancelError, got, HTTPError, RequestError, TimeoutError, type Got, type Response } from "got";
import type { ApiCredentials } from "../config/credentials.js";
import { EnrollError } from "../errors.js";
import type { Deadline } from "../deadline.js";
import type { Logger } from "../log.js";
import { backoffMs } from "./backoff.js";
import { certificateFailure, fetchPeerCertificate, isCertificateFailure } from "./certificate-failure.js";
import { MAX_ANSWER_BYTES, parseJsonAnswer } from "./json-answer.js";
import { onOurOrigin } from "./links.js";
import { failureWords, unreachable, WAIT_FOR_CODES, WAIT_FOR_STATUSES } from "./network-failure.js";
import { scrubbedError, scrubberOf, type Scrub } from "./scrub.js";
import { anything, SchemaMismatch, type Check } from "../schema.js";
import { printable } from "./server-text.js";
import { transportTo, type TlsSettings } from "./transport.js";

/** Error body every Rancher API generation answers with (`type: "error"`). */
interface ApiErrorBody {
  type?: unknown;
  code?: unknown;
  message?: unknown;
  detail?: unknown;
}

type Method = "GET" | "POST" | "DELETE";

/** The server answered, but not as the Rancher API does (HTML, a redirect, a 404 page, a resource without its fields). */
export class NotTheApiError extends EnrollError {
  constructor(message: string, hint: string) {
    super("server", message, hint);
  }
}

const REQUEST_TIMEOUT_MS = 30_000;
/** How long describing a refused certificate may take. */
const CERTIFICATE_PROBE_MS = 5_000;
/** While the server cannot be reached, say so once, then at most once a minute (a wait can last --timeout). */
const RETRY_REMINDER_MS = 60_000;
/** Server text quoted in a message: enough for any Rancher error, not a page of HTML. */
const QUOTE_CHARS = 300;

/**
 * JSON over HTTP to one Rancher server, whatever its API line: paths are resolved against its base URL, links are
 * followed on its origin only, redirects are refused, and every answer is read with a size cap.
 */
export class ApiClient {
  private readonly http: Got;
  private readonly auth: Authorization;
  private readonly scrub: Scrub;
  private serverVersion: string | undefined;
  private seenAs: string | undefined;
  private requests = 0;
  private retrying: { lastSaid: number; attempts: number } | undefined;

  constructor(
    readonly baseUrl: string,
    credentials: ApiCredentials,
    private readonly log: Logger,
    private readonly deadline: Deadline,
    private readonly tls: TlsSettings = {},
    /** Where the credentials came from (`RANCHER_TOKEN`, a profile and its file): a refusal names that place. */
    credentialsFrom?: string,
  ) {
    const origin = new URL(baseUrl).origin;
    const transport = transportTo(origin, tls);
    this.auth = authorizationOf(credentials, credentialsFrom);
    this.scrub = scrubberOf(this.auth.secrets);
    if (tls.insecure && origin.startsWith("https:")) log.warn(INSECURE_WARNING(origin));
    if (transport.proxy)
      log.info({ proxy: transport.proxy }, `API requests go through the proxy ${transport.proxy}`);
    this.http = got.extend({
      https: transport.https,
      ...(transport.agent ? { agent: transport.agent } : {}),
      // The Rancher API does not redirect; following one would send the credentials (or a token POST) elsewhere.
      followRedirect: false,
      headers: { accept: "application/json", "x-api-no-challenge": "true", authorization: this.auth.header },
      responseType: "text",
      retry: {
        limit: Number.POSITIVE_INFINITY,
        methods: ["GET", "DELETE"],
        statusCodes: WAIT_FOR_STATUSES,
        errorCodes: WAIT_FOR_CODES,
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
            this.log.debug({ method: options.method, url: String(options.url) }, "api request");
          },
        ],
        beforeRetry: [(error) => this.announceRetry(error)],
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

  /** The answer, checked against what the Rancher API answers (`schema`): anything else is exit 8. */
  get<T>(path: string, schema: Check<T>, searchParams?: Record<string, string>): Promise<T> {
    return this.send("GET", path, schema, searchParams);
  }

  /** A GET that answers undefined when the path is not there or is not the API: to learn which API a server speaks. */
  async probe<T>(path: string, schema: Check<T>): Promise<T | undefined> {
    try {
      return await this.get(path, schema);
    } catch (error) {
      if (error instanceof NotTheApiError || (error instanceof EnrollError && error.kind === "not-found"))
        return undefined;
      throw error;
    }
  }

  post<T>(path: string, schema: Check<T>, body: object = {}): Promise<T> {
    return this.send("POST", path, schema, undefined, body);
  }

  async delete(path: string): Promise<void> {
    await this.send("DELETE", path, anything);
  }

  private async send<T>(
    method: Method,
    pathOrLink: string,
    schema: Check<T>,
    searchParams?: Record<string, string>,
    body?: object,
  ): Promise<T> {
    const url = onOurOrigin(pathOrLink, this.baseUrl);
    for (const [key, value] of Object.entries(searchParams ?? {})) url.searchParams.set(key, value);
    const what = `${method} ${url.pathname}`;
    const response = await this.exchange(url, what, { method, ...(body ? { json: body } : {}) });
    return this.answer(response, what, schema);
  }

  /**
   * A file the server serves to anyone (the system agent's installer), as text: on our origin, over the same
   * verified TLS as the API, no redirect followed, size-capped, and without our credentials (it needs none).
   */
  async download(path: string): Promise<string> {
    const url = onOurOrigin(path, this.baseUrl);
    const what = `GET ${url.pathname}`;
    const response = await this.exchange(url, what, {
      method: "GET",
      headers: { accept: "*/*", authorization: undefined },
    });
    const status = response.statusCode;
    if (status >= 300 && status < 400) {
      const location = response.headers.location;
      return this.failRedirect(what, status, typeof location === "string" ? location : undefined);
    }
    return response.body;
  }

  private async exchange(
    url: URL,
    what: string,
    options: { method: Method; json?: object; headers?: Record<string, string | undefined> },
  ): Promise<Response<string>> {
    const cap = { exceeded: false };
    try {
      const request = this.http(url, options);
      request.on("downloadProgress", ({ transferred, total }) => {
        if (Math.max(transferred, total ?? 0) <= MAX_ANSWER_BYTES) return;
        cap.exceeded = true;
        request.cancel();
      });
      const response = (await request) as Response<string>;
      this.retrying = undefined;
      return response;
    } catch (error) {
      if (cap.exceeded) throw this.notTheApi(`${what} answered more than ${MAX_ANSWER_BYTES / 2 ** 20} MiB`);
      throw await this.explain(error, what);
    }
  }

  /** A 2xx answer's JSON, of the shape asked for; the Rancher API answers nothing else, and never redirects. */
  private answer<T>(response: Response<string>, what: string, schema: Check<T>): T {
    const status = response.statusCode;
    if (status >= 300 && status < 400) {
      const location = response.headers.location;
      return this.failRedirect(what, status, typeof location === "string" ? location : undefined);
    }
    const value = parseJsonAnswer(response.body);
    if (value === undefined) throw this.notTheApi(`${what} answered ${status} with ${contentOf(response)}`);
    try {
      return schema(value, "");
    } catch (error) {
      if (!(error instanceof SchemaMismatch)) throw error;
      throw this.notTheApi(
        `${what} answered ${status} without what the Rancher API answers (${this.quote(error.message)})`,
      );
    }
  }

  private failRedirect(what: string, status: number, location: string | undefined): never {
    const where = location ? `to ${this.quote(location)}` : "without a location";
    throw new NotTheApiError(
      `${what} was redirected (${status}) ${where}; the Rancher API does not redirect, so it was not followed (credentials go only to ${new URL(this.baseUrl).origin})`,
      "Use the server's own address as --url (RANCHER_URL): if it moved, its new one; a redirect to a login page means an SSO or proxy in front of the API.",
    );
  }

  /** The words for every answer that is not the Rancher API's: exit 8. */
  notTheApi(what: string): NotTheApiError {
    return new NotTheApiError(
      `${what}: the server at ${this.baseUrl} answered something that is not the Rancher API`,
      "Check that the URL points at the Rancher server itself (not its UI behind a login page, nor another service).",
    );
  }

  /** Once per stretch of failures, what failed, where and until when; then at most once a minute. */
  private announceRetry(error: RequestError): void {
    const now = Date.now();
    const state = this.retrying ?? { lastSaid: 0, attempts: 0 };
    this.retrying = state;
    state.attempts += 1;
    const reason =
      error instanceof HTTPError
        ? `answered ${error.response.statusCode}`
        : `cannot be reached (${failureWords(error.code, this.scrub(error.message))})`;
    if (state.attempts > 1 && now - state.lastSaid < RETRY_REMINDER_MS) {
      this.log.debug({ attempt: state.attempts, reason }, "retrying the API request");
      return;
    }
    const until = new Date(now + this.deadline.remainingMs()).toTimeString().slice(0, 8);
    const again = state.attempts > 1 ? ` still, after ${state.attempts} attempts` : "";
    this.log.warn(
      `the Rancher server at ${this.baseUrl} ${reason}${again}; retrying until ${until} (${this.deadline.bound}); Ctrl-C to stop`,
    );
    state.lastSaid = now;
  }

  private remember(response: Response): Response {
    const version = response.headers["x-rancher-version"];
    if (typeof version === "string") this.serverVersion = printable(version);
    const clientIp = response.headers["x-api-client-ip"];
    if (typeof clientIp === "string") this.seenAs = printable(clientIp);
    return response;
  }

  /** Names the certificate: its subject tells the user which server, or which interception, they reached. */
  private async refusedCertificate(code: string, reason: string): Promise<EnrollError> {
    const origin = new URL(this.baseUrl).origin;
    const timeout = Math.max(1, Math.min(CERTIFICATE_PROBE_MS, this.deadline.remainingMs()));
    return certificateFailure(origin, code, reason, await fetchPeerCertificate(origin, timeout), this.tls);
  }

  private async explain(error: unknown, what: string): Promise<EnrollError> {
    if (error instanceof EnrollError) return error;
    if (error instanceof HTTPError) return this.explainStatus(error, what);
    if (!(error instanceof RequestError) || error instanceof CancelError) {
      return new EnrollError("internal", `${what} failed: ${this.scrub(String(error))}`, undefined, {
        cause: error instanceof Error ? scrubbedError(error, this.scrub) : undefined,
      });
    }
    const cause = { cause: scrubbedError(error, this.scrub) };
    if (isCertificateFailure(error.code)) return this.refusedCertificate(error.code, error.message);
    // The command's --timeout ran out while we waited for an answer: a timeout like every other one.
    if (this.deadline.expired() && (error instanceof TimeoutError || error.code === "ETIMEDOUT"))
      return this.deadline.cutShort(`${what} on ${this.baseUrl} got no answer${attempts(error)}`);
    const fatal = unreachable(error.code, error.message, this.baseUrl);
    if (fatal) return new EnrollError(fatal.kind, fatal.message, fatal.hint, cause);
    return new EnrollError(
      "server",
      `cannot reach the Rancher server at ${this.baseUrl} (${failureWords(error.code, this.scrub(error.message))})${attempts(error)}`,
      "Check the server URL (--url or RANCHER_URL), that the server is running, and that this machine can reach it.",
      cause,
    );
  }

  private explainStatus(error: HTTPError, what: string): EnrollError {
    const status = error.response.statusCode;
    const body = parseJsonAnswer(String(error.response.body)) as ApiErrorBody | undefined;
    if (body?.type !== "error" && !(status >= 500 || status === 401 || status === 403 || status === 429))
      return this.notTheApi(`${what} answered ${status} with ${contentOf(error.response)}`);
    const said = [body?.code, body?.message !== body?.code ? body?.message : undefined, body?.detail]
      .filter((part): part is string => typeof part === "string" && part.length > 0)
      .map((part) => this.quote(part))
      .join(": ");
    const described = `${what} answered ${status}${said ? ` (${said})` : ""}${attempts(error)}`;
    if (status === 401)
      return new EnrollError(
        "auth",
        `the server rejected ${this.auth.who}: ${described}`,
        this.auth.checkHint,
      );
    if (status === 403) {
      return new EnrollError(
        "auth",
        `${this.auth.who} is not allowed to do this: ${described}`,
        this.auth.permissionHint,
      );
    }
    if (status === 404) return new EnrollError("not-found", described);
    return new EnrollError(
      "server",
      described,
      status >= 500 ? "The server failed; try again later or check its logs." : undefined,
    );
  }

  /** Server text for a message: no secret, no control character, not a whole page. */
  private quote(text: string): string {
    const clean = printable(this.scrub(text));
    return clean.length > QUOTE_CHARS ? `${clean.slice(0, QUOTE_CHARS)}…` : clean;
  }
}

interface Authorization {
  header: string;
  /** Every form of the credential that must not be logged. */
  secrets: string[];
  who: string;
  checkHint: string;
  permissionHint: string;
}

/**
 * Credentials travel in the Authorization header only, never in the URL (got's errors quote the URL). A refusal
 * names where they came from (a variable, a flag, a profile and its file): the place to fix them.
 */
function authorizationOf(credentials: ApiCredentials, from?: string): Authorization {
  if ("token" in credentials) {
    const { token } = credentials;
    const secretPart = token.slice(token.indexOf(":") + 1);
    const where = from ?? "RANCHER_TOKEN";
    return {
      header: `Bearer ${token}`,
      secrets: [token, secretPart],
      who: `the API token (from ${where})`,
      checkHint: `Check the API token from ${where}: a token of this server that has not expired.`,
      permissionHint: "Use a token of a user allowed to add nodes to the cluster.",
    };
  }
  const { accessKey, secretKey } = credentials;
  const basic = Buffer.from(`${accessKey}:${secretKey}`).toString("base64");
  const where = from ?? "RANCHER_ACCESS_KEY and RANCHER_SECRET_KEY";
  return {
    header: `Basic ${basic}`,
    secrets: [secretKey, basic],
    who: `the API key ${accessKey} (from ${where})`,
    checkHint: `Check the API key from ${where}: an environment or account API key of this server.`,
    permissionHint:
      "Use a key of the target environment, or an account key that is a member of it with permission to add hosts.",
  };
}

const INSECURE_WARNING = (origin: string) =>
  `--insecure: the TLS certificate of ${origin} is NOT verified in rancher-enroll's API calls: whoever is ` +
  "between this machine and the server can read the API key and answer in the server's place. The agent still " +
  "verifies it: give it the server's CA with --ca-cert.";

function contentOf(response: Response): string {
  const type = response.headers["content-type"];
  return typeof type === "string" && !type.includes("json")
    ? `${printable(type.split(";")[0] ?? type).slice(0, 60)}, not JSON`
    : "something that is not JSON";
}

function attempts(error: RequestError): string {
  const count = (error.request?.retryCount ?? 0) + 1;
  return count > 1 ? `, after ${count} attempts` : "";
}
