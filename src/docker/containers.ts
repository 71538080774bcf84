import type { Docker } from "./engine.js";
import { dockerError, isNotFound } from "./engine.js";

export interface ContainerState {
  id: string;
  image: string;
  running: boolean;
  startedAt: string;
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
  try {
    const output = await docker
      .getContainer(name)
      .logs({ stdout: true, stderr: true, tail: lines, follow: false });
    return output.toString();
  } catch (error) {
    if (isNotFound(error)) return "";
    throw dockerError(`cannot read the output of container ${name}`, error);
  }
}
