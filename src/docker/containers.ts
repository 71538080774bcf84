import type { Docker } from "./engine.js";
import { dockerError, isNotFound } from "./engine.js";

export interface ContainerState {
  id: string;
  image: string;
  running: boolean;
  startedAt: string;
  /** How often the engine restarted it (its restart policy), and how its last run ended. */
  restartCount: number;
  exitCode: number;
}

/** The state of the named container, or undefined when there is none. */
export async function inspectContainer(docker: Docker, name: string): Promise<ContainerState | undefined> {
  try {
    const info = await docker.getContainer(name).inspect();
    return {
      id: info.Id,
      image: info.Config.Image,
      running: info.State.Running,
      startedAt: info.State.StartedAt,
      restartCount: info.RestartCount,
      exitCode: info.State.ExitCode,
    };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw dockerError(`cannot inspect container ${name}`, error);
  }
}

export async function stopContainer(docker: Docker, name: string): Promise<void> {
  try {
    await docker.getContainer(name).stop({ t: 10 });
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== 304 && !isNotFound(error)) throw dockerError(`cannot stop container ${name}`, error);
  }
}

/** Removes the containers (running or not) and answers the names that existed. */
export function removeContainers(docker: Docker, names: string[]): Promise<string[]> {
  return removeExisting("container", names, (name) => docker.getContainer(name).remove({ force: true }));
}

/** Removes the volumes and answers the names that existed. */
export function removeVolumes(docker: Docker, names: string[]): Promise<string[]> {
  return removeExisting("volume", names, (name) => docker.getVolume(name).remove());
}

async function removeExisting(what: string, names: string[], remove: (name: string) => Promise<unknown>) {
  const removed: string[] = [];
  for (const name of names) {
    try {
      await remove(name);
      removed.push(name);
    } catch (error) {
      if (!isNotFound(error)) throw dockerError(`cannot remove ${what} ${name}`, error);
    }
  }
  return removed;
}

/** The names of the containers, running or not, that carry `label=value`. */
export async function containersLabelled(docker: Docker, label: string, value: string): Promise<string[]> {
  const found = await docker
    .listContainers({ all: true, filters: { label: [`${label}=${value}`] } })
    .catch((error: unknown) => Promise.reject(dockerError("cannot list containers", error)));
  return found.map((container) => (container.Names[0] ?? container.Id).replace(/^\//, ""));
}

/** The last lines the container wrote, as text (empty when there is no such container). */
export async function recentOutput(docker: Docker, name: string, lines: number): Promise<string> {
  return (await rawOutput(docker, name, lines)).toString();
}

/** The last lines a container wrote (stdout and stderr, as `docker logs` shows them); none when it is gone. */
export async function lastLines(docker: Docker, name: string, lines: number): Promise<string[]> {
  return outputText(await rawOutput(docker, name, lines))
    .split("\n")
    .filter((line) => line.trim());
}

async function rawOutput(docker: Docker, name: string, lines: number): Promise<Buffer> {
  try {
    return await docker.getContainer(name).logs({ stdout: true, stderr: true, tail: lines, follow: false });
  } catch (error) {
    if (isNotFound(error)) return Buffer.alloc(0);
    throw dockerError(`cannot read the output of container ${name}`, error);
  }
}

/** A container without a terminal has its output in frames: 1 byte stream, 3 zero bytes, 4 bytes length, payload. */
export function outputText(raw: Buffer): string {
  const framed = raw.length >= 8 && raw[0]! <= 2 && raw[1] === 0 && raw[2] === 0 && raw[3] === 0;
  if (!framed) return raw.toString("utf8");
  const parts: Buffer[] = [];
  for (let at = 0; at + 8 <= raw.length; at += 8 + raw.readUInt32BE(at + 4))
    parts.push(raw.subarray(at + 8, at + 8 + raw.readUInt32BE(at + 4)));
  return Buffer.concat(parts).toString("utf8");
}
