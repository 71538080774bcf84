import type { Logger } from "../log.js";

/** Runs one named step of a flow, logging its start, its end and how long it took. */
export async function phase<T>(log: Logger, name: string, step: () => Promise<T>): Promise<T> {
  const started = Date.now();
  log.info({ phase: name }, `${name}…`);
  const result = await step();
  log.debug({ phase: name, ms: Date.now() - started }, `${name} done`);
  return result;
}
