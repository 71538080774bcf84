import { setTimeout as sleep } from "node:timers/promises";
import Docker from "dockerode";
import type { Logger } from "../log.js";
import { EnrollError } from "../errors.js";

export type { Docker };

/** Where dockerode will connect: DOCKER_HOST, else the default socket. For messages only. */
export function engineAddress(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
}

export function connectDocker(): Docker {
  return new Docker();
}

const PING_TIMEOUT_MS = 5000;
const PING_INTERVAL_MS = 1000;

/**
 * Waits up to `seconds` for the daemon to answer, as at boot when Docker is still starting; then fails with a
 * `docker` error that says where we looked, for how long, and the last reason.
 */
export async function waitForDaemon(docker: Docker, seconds: number, log: Logger): Promise<void> {
  const giveUpAt = Date.now() + seconds * 1000;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await ping(docker);
      return;
    } catch (error) {
      if (Date.now() >= giveUpAt)
        throw dockerError(
          `the Docker engine at ${engineAddress()} does not answer${waited(seconds, attempt)}`,
          error,
        );
      if (attempt === 1)
        log.info(
          { engine: engineAddress(), waitSeconds: seconds },
          "waiting for the Docker engine to answer",
        );
      await sleep(Math.min(PING_INTERVAL_MS, giveUpAt - Date.now()));
    }
  }
}

async function ping(docker: Docker): Promise<void> {
  const timeout = sleep(PING_TIMEOUT_MS, undefined, { ref: false }).then(() =>
    Promise.reject(new Error("no answer within 5 s")),
  );
  await Promise.race([docker.ping(), timeout]);
}

function waited(seconds: number, attempts: number): string {
  return seconds > 0 ? ` (waited ${seconds} s, ${attempts} attempts)` : "";
}

interface DockerodeError {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
  message?: string;
}

/** Turns a dockerode failure into an error that says what failed and why. */
export function dockerError(what: string, error: unknown): EnrollError {
  const failure = error as DockerodeError;
  const reason = failure.json?.message ?? failure.code ?? failure.message ?? String(error);
  const unreachable = failure.statusCode === undefined;
  return new EnrollError(
    "docker",
    `${what}: ${reason}`,
    unreachable
      ? "Check that Docker is installed and running and that this user may use its socket (root or the docker group); DOCKER_HOST selects another engine."
      : undefined,
    { cause: error },
  );
}

export function isNotFound(error: unknown): boolean {
  return (error as DockerodeError).statusCode === 404;
}
