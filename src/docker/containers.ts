import type { Docker } from "./engine.js";
import { dockerError, isNotFound } from "./engine.js";

export interface ContainerState {
  id: string;
  image: string;
  running: boolean;
  startedAt: string;
  env: Record<string, string>;
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
      env: Object.fromEntries((info.Config.Env ?? []).map((pair) => splitOnce(pair, "="))),
    };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw dockerError(`cannot inspect container ${name}`, error);
  }
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + separator.length)];
}
