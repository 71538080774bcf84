import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { startPrivateEngine, type PrivateEngine } from "./private-engine.js";

export interface EnginePoolOptions {
  /** Each engine gets `dir`/engine-<index>. */
  dir: string;
  /** Engines being started (and prepared) at once. */
  concurrency: number;
  /** Run on each engine once it answers, within the same concurrency bound (e.g. pull an image). */
  prepare?: (engine: PrivateEngine) => Promise<void>;
  /** After each engine is ready: how many are, of how many. */
  onProgress?: (ready: number, total: number) => void;
  /** Stops starting engines; those started are stopped and the start rejects. */
  signal?: AbortSignal;
}

export interface EnginePool {
  engines: PrivateEngine[];
  stop(): Promise<void>;
}

/**
 * Starts `count` private engines, as many machines of their own, a bounded number at a time. If any fails or
 * the start is aborted, the engines already started are stopped before it rejects.
 */
export async function startEnginePool(count: number, options: EnginePoolOptions): Promise<EnginePool> {
  const { dir, concurrency, prepare, onProgress, signal } = options;
  const engines: PrivateEngine[] = [];
  const started: PrivateEngine[] = [];
  let ready = 0;
  const stop = () => stopAll(started, concurrency);
  try {
    await eachLimited(count, concurrency, signal, async (index) => {
      const engineDir = join(dir, `engine-${index}`);
      await mkdir(engineDir, { recursive: true });
      const engine = await startPrivateEngine(engineDir);
      started.push(engine);
      await prepare?.(engine);
      engines[index] = engine;
      onProgress?.((ready += 1), count);
    });
    signal?.throwIfAborted();
  } catch (error) {
    await stop().catch((stopError: Error) => console.error(stopError.message));
    throw error;
  }
  return { engines, stop };
}

async function stopAll(engines: PrivateEngine[], concurrency: number): Promise<void> {
  const errors: unknown[] = [];
  await eachLimited(engines.length, concurrency, undefined, (index) =>
    engines[index]!.stop().catch((error: unknown) => void errors.push(error)),
  );
  engines.length = 0;
  if (errors.length)
    throw new AggregateError(errors, `stopping engines failed: ${errors.map(String).join("; ")}`);
}

/** Runs `task` for 0..count-1, at most `limit` at once; stops taking new ones on the first failure or abort. */
async function eachLimited(
  count: number,
  limit: number,
  signal: AbortSignal | undefined,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && !signal?.aborted && next < count) {
      const index = next++;
      try {
        await task(index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(limit, count) }, worker));
  const rejected = results.find((result) => result.status === "rejected");
  if (rejected) throw rejected.reason;
}
