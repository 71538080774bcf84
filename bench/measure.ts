import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** GNU time (Debian package `time`): the child's peak resident set size, which Node.js cannot see. */
export const GNU_TIME = "/usr/bin/time";

export interface Run {
  wallMs: number;
  /** Peak RSS in MB, when measured. */
  peakRssMb?: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env: Record<string, string | undefined>;
  /** Measure peak RSS through GNU time (adds its fork and exec, about a millisecond, to the wall time). */
  rss?: boolean;
}

let scratch: string | undefined;

/** Runs a command to its end, stdout and stderr captured through pipes, as a script capturing them would. */
export async function measure(command: string[], { env, rss = false }: RunOptions): Promise<Run> {
  scratch ??= await mkdtemp(join(tmpdir(), "rancher-enroll-bench-"));
  const rssFile = join(scratch, "rss");
  const argv = rss ? [GNU_TIME, "--format=%M", `--output=${rssFile}`, ...command] : command;
  const started = process.hrtime.bigint();
  const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const peakRssMb = rss ? Number((await readFile(rssFile, "utf8")).trim()) / 1024 : undefined;
  return { wallMs, code, stdout, stderr, ...(peakRssMb === undefined ? {} : { peakRssMb }) };
}

export async function removeScratch(): Promise<void> {
  if (scratch) await rm(scratch, { recursive: true, force: true });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A plain-text table, columns padded, numbers right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const numeric = header.map((_, column) => rows.every((row) => /^[\d.x]*$/.test(row[column]!)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}
