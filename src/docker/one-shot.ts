import { createInterface } from "node:readline";
import { PassThrough, type Readable } from "node:stream";
import type { Deadline } from "../deadline.js";
import type { Docker } from "./engine.js";
import { dockerError } from "./engine.js";
import { tarArchive, type FileToPlace } from "./tar.js";

/** A container that runs to completion, like `docker run --rm` without relying on daemon-side AutoRemove. */
export interface OneShotSpec {
  image: string;
  entrypoint?: string[];
  cmd: string[];
  env: string[];
  binds: string[];
  privileged: boolean;
  labels: Record<string, string>;
  /** Placed through the engine's archive API before the container starts: content never in its arguments. */
  files?: FileToPlace[];
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
    if (spec.files?.length) await placeFiles(container, spec.files);
    await container
      .start()
      .catch((error: unknown) =>
        Promise.reject(dockerError(`cannot start container ${container.id}`, error)),
      );
    const logs = (await container.logs({ follow: true, stdout: true, stderr: true })) as unknown as Readable;
    const output = collectLines(docker, logs, onLine);
    const name = container.id.slice(0, 12);
    const { StatusCode } = (await deadline.within(
      container.wait(),
      () => `container ${name} is still running`,
    )) as { StatusCode: number };
    const lines = await deadline
      .within(output, () => `the output of container ${name} did not end after it exited`)
      .finally(() => logs.destroy());
    return { containerId: container.id, exitCode: StatusCode, output: lines };
  } finally {
    await container.remove({ force: true, v: true }).catch(() => undefined);
  }
}

async function placeFiles(container: Docker.Container, files: FileToPlace[]): Promise<void> {
  await container
    .putArchive(tarArchive(files), { path: "/" })
    .catch((error: unknown) =>
      Promise.reject(
        dockerError(
          `cannot place ${files.map((file) => file.path).join(", ")} in container ${container.id}`,
          error,
        ),
      ),
    );
}

/**
 * The container's output, line by line, until its log stream ends. A stream that fails ends the collection too, its
 * reason kept as the last line: the output serves to explain, never to hang the run.
 */
function collectLines(docker: Docker, logs: Readable, onLine: (line: string) => void): Promise<string[]> {
  const merged = new PassThrough();
  docker.modem.demuxStream(logs, merged, merged);
  logs.on("end", () => merged.end());
  logs.on("error", (error: Error) => {
    merged.write(`(the container's output was cut short: ${error.message})\n`);
    merged.end();
  });
  const lines: string[] = [];
  const reader = createInterface({ input: merged, crlfDelay: Infinity });
  reader.on("line", (line) => {
    lines.push(line);
    onLine(line);
  });
  return new Promise((resolve) => reader.on("close", () => resolve(lines)));
}
