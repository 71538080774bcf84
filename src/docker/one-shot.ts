import { createInterface } from "node:readline";
import { PassThrough, type Readable } from "node:stream";
import type { Deadline } from "../deadline.js";
import type { Docker } from "./engine.js";
import { dockerError } from "./engine.js";

/** A container that runs to completion, like `docker run --rm` without relying on daemon-side AutoRemove. */
export interface OneShotSpec {
  image: string;
  entrypoint?: string[];
  cmd: string[];
  env: string[];
  binds: string[];
  privileged: boolean;
  labels: Record<string, string>;
}

export interface OneShotResult {
  containerId: string;
  exitCode: number;
  output: string[];
}

/**
 * Creates, starts and waits for the container, collecting its output line by line, and always removes it.
 * The daemon's AutoRemove is not used: it needs Engine API 1.25, and it would lose the logs we report.
 */
export async function runToCompletion(
  docker: Docker,
  spec: OneShotSpec,
  deadline: Deadline,
  onLine: (line: string) => void,
): Promise<OneShotResult> {
  const container = await docker
    .createContainer({
      Image: spec.image,
      ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
      Cmd: spec.cmd,
      Env: spec.env,
      Labels: spec.labels,
      HostConfig: { Privileged: spec.privileged, Binds: spec.binds },
    })
    .catch((error: unknown) =>
      Promise.reject(dockerError(`cannot create a container from ${spec.image}`, error)),
    );
  try {
    await container
      .start()
      .catch((error: unknown) =>
        Promise.reject(dockerError(`cannot start container ${container.id}`, error)),
      );
    const logs = (await container.logs({ follow: true, stdout: true, stderr: true })) as unknown as Readable;
    const output = collectLines(docker, logs, onLine);
    const exitCode = await waitForExit(container, deadline);
    return { containerId: container.id, exitCode, output: await output };
  } finally {
    await container.remove({ force: true, v: true }).catch(() => undefined);
  }
}

async function waitForExit(container: Docker.Container, deadline: Deadline): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(deadline.timeout(`container ${container.id.slice(0, 12)} is still running`)),
      deadline.remainingMs(),
    );
  });
  try {
    const { StatusCode } = (await Promise.race([container.wait(), expiry])) as { StatusCode: number };
    return StatusCode;
  } finally {
    clearTimeout(timer);
  }
}

function collectLines(docker: Docker, logs: Readable, onLine: (line: string) => void): Promise<string[]> {
  const merged = new PassThrough();
  docker.modem.demuxStream(logs, merged, merged);
  logs.on("end", () => merged.end());
  const lines: string[] = [];
  const reader = createInterface({ input: merged, crlfDelay: Infinity });
  reader.on("line", (line) => {
    lines.push(line);
    onLine(line);
  });
  return new Promise((resolve) => reader.on("close", () => resolve(lines)));
}
