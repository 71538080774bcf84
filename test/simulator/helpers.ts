import {
  PING_PATH,
  startSimulator,
  type ApiKey,
  type Simulator,
  type Timings,
} from "../support/simulator/index.js";

export const FAST: Timings = {
  tokenActivationMs: 40,
  registerActivationMs: 30,
  hostRegisteringMs: 40,
  hostActivatingMs: 60,
  actionMs: 40,
  agentReconnectingAfterMs: 250,
  agentDisconnectedAfterMs: 500,
  pingIntervalSeconds: 1,
};

export function startFast(timings: Partial<Timings> = {}, publicUrl?: string): Promise<Simulator> {
  return startSimulator({ timings: { ...FAST, ...timings }, ...(publicUrl ? { publicUrl } : {}) });
}

export interface Credentials {
  user: string;
  password: string;
}

export function keyCredentials(key: ApiKey): Credentials {
  return { user: key.accessKey, password: key.secretKey };
}

export function basicAuth({ user, password }: Credentials): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

export interface CallOptions {
  auth?: ApiKey | Credentials;
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  // Tests reach into arbitrary JSON; `any` keeps the assertions readable.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** One request against the simulator; `path` may also be a full URL taken from a link. */
export async function call(
  sim: { url: string },
  path: string,
  options: CallOptions = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.auth) {
    headers.Authorization = basicAuth(
      "accessKey" in options.auth ? keyCredentials(options.auth) : options.auth,
    );
  }
  const init: RequestInit = { method: options.method ?? "GET", headers };
  if (options.body !== undefined) {
    init.body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers["Content-Type"] ??= "application/json";
  }
  const response = await fetch(path.startsWith("http") ? path : `${sim.url}${path}`, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: parseJson(text) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 3000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** POSTs a token and waits until it is active; returns the active resource. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function activeToken(sim: Simulator, auth: ApiKey = sim.environmentKey): Promise<any> {
  const created = await call(sim, "/v2-beta/registrationtokens", { auth, method: "POST", body: {} });
  return waitFor(async () => {
    const token = (await call(sim, created.json.links.self, { auth })).json;
    return token.state === "active" && token;
  }, "token to become active");
}

/** Registers like register.py does and returns the agent credentials. */
export async function registerAgent(sim: Simulator, token: string, key: string): Promise<Credentials> {
  const auth = { user: "registrationToken", password: token };
  await call(sim, "/v1/register", { auth, method: "POST", body: { key } });
  const register = await waitFor(async () => {
    const found = (await call(sim, `/v1/register?key=${key}`, { auth })).json.data[0];
    return found?.state === "active" && found;
  }, "register to become active");
  return { user: register.accessKey, password: register.secretKey };
}

export function ping(
  sim: Simulator,
  agent: Credentials,
  fields: Record<string, string>,
): Promise<CallResult> {
  const body = Object.entries(fields)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");
  return call(sim, PING_PATH, {
    auth: agent,
    method: "POST",
    body,
    headers: { "Content-Type": "text/plain" },
  });
}

/** A registered agent of the default project plus its machine identity. */
export async function enrolledAgent(sim: Simulator, key = "machine-key-1"): Promise<Credentials> {
  const token = await activeToken(sim);
  return registerAgent(sim, token.token, key);
}
