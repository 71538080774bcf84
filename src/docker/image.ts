import type { Docker } from "./engine.js";
import { dockerError, isNotFound } from "./engine.js";

/** A pull so far, over the layers the engine has named; sizes are known once a layer starts downloading. */
export interface PullProgress {
  /** The engine has finished the pull: the last report. */
  done: boolean;
  layers: number;
  /** Layers the engine already had. */
  present: number;
  /** Layers downloaded (or present). */
  downloaded: number;
  /** Layers extracted (or present): the pull is done when all are. */
  extracted: number;
  /** Layers to download whose size is not known yet: the engine says it once their download starts. */
  unsized: number;
  /** Bytes downloaded, and to download, over the layers whose size is known. */
  downloadedBytes: number;
  totalBytes: number;
  /** Bytes extracted over the same layers. */
  extractedBytes: number;
}

export interface PullEvent {
  id?: string;
  status?: string;
  error?: string;
  progressDetail?: { current?: number; total?: number };
}

interface Layer {
  size: number;
  downloadedBytes: number;
  extractedBytes: number;
  present: boolean;
  downloaded: boolean;
  extracted: boolean;
}

const LAYER_STATUS =
  /^(Pulling fs layer|Waiting|Downloading|Verifying Checksum|Download complete|Extracting|Pull complete|Already exists)$/;
const DOWNLOADED = /^(Download complete|Extracting|Pull complete|Already exists)$/;
const EXTRACTED = /^(Pull complete|Already exists)$/;

export async function hasImage(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw dockerError(`cannot inspect image ${image}`, error);
  }
}

/** Pulls `image`, reporting progress over its layers after each of the engine's events. */
export async function pullImage(
  docker: Docker,
  image: string,
  onProgress: (progress: PullProgress) => void,
): Promise<void> {
  const tally = pullTally();
  try {
    const stream = await docker.pull(image);
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (error: Error | null) => (error ? reject(error) : resolve()),
        (event: PullEvent) => {
          if (event.error) return reject(new Error(event.error));
          if (tally.apply(event)) onProgress(tally.progress(false));
        },
      );
    });
    onProgress(tally.progress(true));
  } catch (error) {
    throw dockerError(`cannot pull image ${image}`, error);
  }
}

/** The engine's pull events, counted per layer. */
export function pullTally() {
  const layers = new Map<string, Layer>();
  return {
    /** Answers whether the event was about a layer. */
    apply: (event: PullEvent) => Boolean(event.id) && updateLayer(layers, event.id!, event),
    progress: (done: boolean) => summarise([...layers.values()], done),
  };
}

function updateLayer(layers: Map<string, Layer>, id: string, { status = "", progressDetail }: PullEvent) {
  if (!LAYER_STATUS.test(status)) return false;
  const layer = layers.get(id) ?? {
    size: 0,
    downloadedBytes: 0,
    extractedBytes: 0,
    present: false,
    downloaded: false,
    extracted: false,
  };
  layers.set(id, layer);
  const { current, total } = progressDetail ?? {};
  if (total && total > 0) layer.size = Math.max(layer.size, total);
  if (status === "Downloading" && current !== undefined) layer.downloadedBytes = current;
  if (status === "Extracting" && current !== undefined) layer.extractedBytes = current;
  if (status === "Already exists") layer.present = true;
  layer.downloaded ||= DOWNLOADED.test(status);
  layer.extracted ||= EXTRACTED.test(status);
  return true;
}

function summarise(layers: readonly Layer[], done = false): PullProgress {
  const count = (has: (layer: Layer) => boolean) => layers.filter(has).length;
  const pulled = layers.filter((layer) => !layer.present);
  const bytes = (of: (layer: Layer) => number) =>
    pulled.reduce((sum, layer) => sum + Math.min(of(layer), layer.size), 0);
  return {
    done,
    layers: layers.length,
    present: count((layer) => layer.present),
    downloaded: count((layer) => layer.downloaded),
    extracted: count((layer) => layer.extracted),
    unsized: count((layer) => !layer.present && layer.size === 0),
    totalBytes: bytes((layer) => layer.size),
    downloadedBytes: bytes((layer) => (layer.downloaded ? layer.size : layer.downloadedBytes)),
    extractedBytes: bytes((layer) => (layer.extracted ? layer.size : layer.extractedBytes)),
  };
}

/** Local images whose name matches one of the patterns (Docker's reference filter), as `name:tag`. */
export async function localImagesNamed(docker: Docker, patterns: string[]): Promise<string[]> {
  const images = await docker
    .listImages({ filters: { reference: patterns } })
    .catch((error: unknown) => Promise.reject(dockerError("cannot list images", error)));
  return images.flatMap((image) => image.RepoTags ?? []).filter((tag) => !tag.endsWith("<none>"));
}
