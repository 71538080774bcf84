import type { Docker } from "./engine.js";
import { dockerError, isNotFound } from "./engine.js";

export interface PullProgress {
  layers: number;
  layersDone: number;
  currentBytes: number;
  totalBytes: number;
}

interface PullEvent {
  id?: string;
  status?: string;
  error?: string;
  progressDetail?: { current?: number; total?: number };
}

const LAYER_DONE = /^(Pull complete|Already exists)$/;

export async function hasImage(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw dockerError(`cannot inspect image ${image}`, error);
  }
}

/** Pulls `image`, reporting aggregated progress over its layers. */
export async function pullImage(
  docker: Docker,
  image: string,
  onProgress: (progress: PullProgress) => void,
): Promise<void> {
  const layers = new Map<string, { current: number; total: number; done: boolean }>();
  const report = () => onProgress(summarise([...layers.values()]));
  try {
    const stream = await docker.pull(image);
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (error: Error | null) => (error ? reject(error) : resolve()),
        (event: PullEvent) => {
          if (event.error) return reject(new Error(event.error));
          if (!event.id || !event.status || event.status.startsWith("Pulling from")) return;
          const layer = layers.get(event.id) ?? { current: 0, total: 0, done: false };
          layer.current = event.progressDetail?.current ?? layer.current;
          layer.total = event.progressDetail?.total ?? layer.total;
          layer.done ||= LAYER_DONE.test(event.status);
          layers.set(event.id, layer);
          report();
        },
      );
    });
    for (const layer of layers.values()) layer.done = true;
    report();
  } catch (error) {
    throw dockerError(`cannot pull image ${image}`, error);
  }
}

function summarise(layers: { current: number; total: number; done: boolean }[]): PullProgress {
  return {
    layers: layers.length,
    layersDone: layers.filter((l) => l.done).length,
    currentBytes: layers.reduce((sum, l) => sum + (l.done ? l.total : l.current), 0),
    totalBytes: layers.reduce((sum, l) => sum + l.total, 0),
  };
}

/** Local images whose name matches one of the patterns (Docker's reference filter), as `name:tag`. */
export async function localImagesNamed(docker: Docker, patterns: string[]): Promise<string[]> {
  const images = await docker
    .listImages({ filters: { reference: patterns } })
    .catch((error: unknown) => Promise.reject(dockerError("cannot list images", error)));
  return images.flatMap((image) => image.RepoTags ?? []).filter((tag) => !tag.endsWith("<none>"));
}
