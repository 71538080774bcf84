import type { Docker } from "./engine.js";
import { dockerError } from "./engine.js";

/** A long-lived container the engine keeps running (restarts included), as `docker run -d` starts one. */
export interface ServiceSpec {
  name: string;
  image: string;
  cmd: string[];
  env: string[];
  binds: string[];
  privileged: boolean;
  networkMode?: string;
  restartPolicy?: string;
  labels: Record<string, string>;
}

/** The Engine API's body for the spec (no Entrypoint: the image's runs with `cmd` as its arguments). */
export function createOptions(spec: ServiceSpec): Docker.ContainerCreateOptions {
  return {
    name: spec.name,
    Image: spec.image,
    Cmd: spec.cmd,
    Env: spec.env,
    Labels: spec.labels,
    HostConfig: {
      Privileged: spec.privileged,
      Binds: spec.binds,
      ...(spec.networkMode ? { NetworkMode: spec.networkMode } : {}),
      ...(spec.restartPolicy ? { RestartPolicy: restartPolicy(spec.restartPolicy) } : {}),
    },
  };
}

/** `docker run --restart` syntax: `no`, `always`, `unless-stopped`, `on-failure[:N]`. */
export function restartPolicy(text: string): { Name: string; MaximumRetryCount?: number } {
  const [name = "", count] = text.split(":");
  return count === undefined ? { Name: name } : { Name: name, MaximumRetryCount: Number(count) };
}

/** Creates and starts the container; answers its id. A container left half-made is removed. */
export async function startService(docker: Docker, spec: ServiceSpec): Promise<string> {
  const container = await docker
    .createContainer(createOptions(spec))
    .catch((error: unknown) =>
      Promise.reject(dockerError(`cannot create container ${spec.name} from ${spec.image}`, error)),
    );
  try {
    await container.start();
  } catch (error) {
    await container.remove({ force: true }).catch(() => undefined);
    throw dockerError(`cannot start container ${spec.name}`, error);
  }
  return container.id;
}
