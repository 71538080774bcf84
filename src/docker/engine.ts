import Docker from "dockerode";
import { Deadline } from "../deadline.js";
import { EnrollError } from "../errors.js";
import type { Logger } from "../log.js";

export type { Docker };

type Env = Readonly<Record<string, string | undefined>>;

/** Where dockerode will connect: DOCKER_HOST, else the default socket. For messages only. */
export function engineAddress(env: Env = process.env): string {
  return env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
}

export function connectDocker(): Docker {
  return new Docker();
}

const PING_TIMEOUT_MS = 5000;
const PING_INTERVAL_MS = 1000;

/**
 * Makes sure the engine answers before anything is changed. Waiting is worth it only for an engine that may still
 * be starting: a socket that refuses connections, an engine that does not answer yet or answers 5xx. It waits up to
 * `waitSeconds` (and never past the command's deadline), and says so at once, with until when. A socket that does not
 * exist is said at once, and ends the command at once when run from a terminal (a person); without one (at boot,
 * under cloud-init or systemd) Docker may not have created it yet, so it is waited for like a starting engine.
 * A user who may not use the socket, or an engine host that does not resolve, ends at once: waiting cannot help.
 */
export async function waitForDaemon(
  docker: Docker,
  deadline: Deadline,
  waitSeconds: number,
  log: Logger,
  interactive = Boolean(process.stdin.isTTY),
): Promise<void> {
  const wait = new Deadline(deadline.cap(waitSeconds));
  let attempts = 0;
  let last: unknown;
  await wait.poll(
    PING_INTERVAL_MS,
    async () => {
      attempts += 1;
      try {
        await ping(docker, deadline);
        return true;
      } catch (error) {
        last = error;
        const failure = engineFailure(error);
        if (!failure.waitable || (failure.missingSocket && interactive) || wait.expired())
          throw unreachable(failure, error, wait, attempts);
        if (attempts === 1) announceWait(log, failure, wait);
        return undefined;
      }
    },
    () => unreachable(engineFailure(last), last, wait, attempts),
  );
}

function announceWait(log: Logger, failure: EngineFailure, wait: Deadline): void {
  const until = new Date(Date.now() + wait.remainingMs()).toLocaleTimeString("en-GB", { hour12: false });
  log.info(
    { engine: engineAddress(), waitSeconds: wait.seconds, until },
    `${failure.reason}; waiting for it until ${until} (--wait-for-docker ${wait.seconds}); Ctrl-C to stop`,
  );
}

function unreachable(failure: EngineFailure, error: unknown, wait: Deadline, attempts: number) {
  const after = attempts > 1 ? ` (waited ${wait.seconds} s, ${attempts} attempts)` : "";
  return new EnrollError("docker", `${failure.reason}${after}`, failure.hint, { cause: error });
}

/** One ping, given at most 5 s, and less when the command's deadline comes sooner; then the request is aborted. */
async function ping(docker: Docker, deadline: Deadline): Promise<void> {
  const limitMs = Math.max(1, Math.min(PING_TIMEOUT_MS, deadline.remainingMs()));
  const signal = AbortSignal.timeout(limitMs);
  // dockerode takes the signal; its types do not say so.
  const pingUntil = docker.ping.bind(docker) as unknown as (options: {
    abortSignal: AbortSignal;
  }) => Promise<unknown>;
  try {
    await pingUntil({ abortSignal: signal });
  } catch (error) {
    if (!signal.aborted) throw error;
    throw Object.assign(new Error(`no answer within ${Math.round(limitMs / 100) / 10} s`), {
      code: "ETIMEDOUT",
    });
  }
}

interface DockerodeError {
  statusCode?: number;
  code?: string;
  address?: string;
  hostname?: string;
  json?: { message?: string } | string | null;
  message?: string;
}

interface EngineFailure {
  /** What failed, in words, naming the engine. */
  reason: string;
  hint?: string;
  /** An engine that may be starting: worth waiting for. */
  waitable: boolean;
  missingSocket?: boolean;
}

const SELECT_ENGINE = "DOCKER_HOST selects another engine.";

/** Says what a dockerode failure means: whether the engine could be reached at all, and what it answered. */
function engineFailure(error: unknown): EngineFailure {
  const failure = (error ?? {}) as DockerodeError;
  const engine = engineAddress();
  switch (failure.code) {
    case "ENOENT":
      return {
        reason: `there is no Docker engine at ${engine}: the socket ${failure.address ?? socketOf(engine)} does not exist`,
        hint: `Start Docker (\`systemctl start docker\`), or install it; ${SELECT_ENGINE}`,
        waitable: true,
        missingSocket: true,
      };
    case "ECONNREFUSED":
      return {
        reason: `the Docker engine at ${engine} refuses connections (stopped, or still starting)`,
        hint: `Start it (\`systemctl start docker\`) and see \`systemctl status docker\`; ${SELECT_ENGINE}`,
        waitable: true,
      };
    case "EACCES":
    case "EPERM":
      return {
        reason: `this user may not use the Docker engine at ${engine} (permission denied)`,
        hint: `Run as root (sudo), or as a member of the docker group; ${SELECT_ENGINE}`,
        waitable: false,
      };
    case "ENOTFOUND":
      return {
        reason: `the host of the Docker engine at ${engine} does not resolve`,
        hint: "Check DOCKER_HOST.",
        waitable: false,
      };
  }
  // A failure with a system error code never reached the engine; one without came from it (a pull's stream).
  if (failure.statusCode === undefined && failure.code)
    return {
      reason: `the Docker engine at ${engine} does not answer (${failure.message ?? String(error)})`,
      hint: `Check that Docker is running (\`systemctl status docker\`); ${SELECT_ENGINE}`,
      waitable: true,
    };
  return answerFailure(failure, engine);
}

function answerFailure(failure: DockerodeError, engine: string): EngineFailure {
  const said = engineSays(failure);
  const status = failure.statusCode;
  if (/manifest unknown|manifest for .* not found|pull access denied|repository does not exist/i.test(said))
    return {
      reason: `the registry has no such image, or refuses it to this machine (the engine said: ${said})`,
      hint: "Check the image's name and tag; a private registry needs `docker login REGISTRY` for the user the engine pulls as (root).",
      waitable: false,
    };
  if (/unauthorized|authentication required|denied/i.test(said))
    return {
      reason: `the registry refused the image to this machine (the engine said: ${said})`,
      hint: "A private registry needs `docker login REGISTRY` for the user the engine pulls as (root).",
      waitable: false,
    };
  const failed = status === undefined || status >= 500;
  return {
    reason: `the Docker engine at ${engine} ${status ? `answered ${status}` : "reported"}: ${said}`,
    hint: failed
      ? "The engine failed: see its log (`journalctl -u docker`), then run the command again."
      : undefined,
    waitable: status !== undefined && status >= 500,
  };
}

/** The engine's own message, without dockerode's "(HTTP code 404) unexpected - " prefix. */
function engineSays(failure: DockerodeError): string {
  const { json } = failure;
  const text =
    typeof json === "object" && json?.message
      ? json.message
      : typeof json === "string" && json
        ? json
        : (failure.message ?? "");
  return text.replace(/^\(HTTP code \d+\) [^-]*- /, "").trim() || "no reason given";
}

function socketOf(engine: string): string {
  return engine.replace(/^unix:\/\//, "");
}

/** Turns a dockerode failure into an error that says what failed, why, and what to do. */
export function dockerError(what: string, error: unknown): EnrollError {
  const { reason, hint } = engineFailure(error);
  return new EnrollError("docker", `${what}: ${reason}`, hint, { cause: error });
}

export function isNotFound(error: unknown): boolean {
  return (error as DockerodeError).statusCode === 404;
}
