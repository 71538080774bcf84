import Docker from "dockerode";
import { EnrollError } from "../errors.js";

export type { Docker };

/** Where dockerode will connect: DOCKER_HOST, else the default socket. For messages only. */
export function engineAddress(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
}

export function connectDocker(): Docker {
  return new Docker();
}

/** Fails with a `docker` error that says where we looked when the daemon does not answer. */
export async function checkDaemon(docker: Docker): Promise<void> {
  try {
    await docker.ping();
  } catch (error) {
    throw dockerError(`the Docker engine at ${engineAddress()} does not answer`, error);
  }
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
