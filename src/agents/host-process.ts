import { spawn } from "node:child_process";
import { constants } from "node:os";
import type { Deadline } from "../deadline.js";
import { EnrollError } from "../errors.js";

export interface ProgramRun {
  /** The exit code; a program ended by a signal counts as 128 + its number, as in a shell. */
  code: number;
  /** Its last lines of output (stdout and stderr, as they came). */
  tail: string[];
}

export interface RunOptions {
  env: Record<string, string>;
  /** Each line of output, as it comes (to log it). */
  onLine?: (line: string) => void;
  /** Bounds the run: on expiry the program is stopped and this says what timed out. */
  deadline?: Deadline;
  what?: string;
}

const TAIL_LINES = 40;

/** Runs a program of this machine with exactly `env` (nothing of ours leaks into it: no API key). */
export async function runProgram(program: string, args: string[], options: RunOptions): Promise<ProgramRun> {
  const child = spawn(program, args, { env: options.env, stdio: ["ignore", "pipe", "pipe"] });
  const tail: string[] = [];
  const onLine = (line: string) => {
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
    options.onLine?.(line);
  };
  const [out, err] = [lineReader(onLine), lineReader(onLine)];
  child.stdout.on("data", out.take);
  child.stderr.on("data", err.take);
  const ended = new Promise<number>((resolve, reject) => {
    child.once("error", (error) => reject(cannotRun(program, error)));
    child.once("close", (code, signal) => {
      out.flush();
      err.flush();
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
  if (!options.deadline) return { code: await ended, tail };
  try {
    return {
      code: await options.deadline.within(ended, () => `${options.what ?? program} did not finish`),
      tail,
    };
  } catch (error) {
    child.kill("SIGTERM");
    throw error;
  }
}

/** Splits a stream's chunks into lines, however the chunks fall. */
function lineReader(onLine: (line: string) => void): { take: (chunk: Buffer) => void; flush: () => void } {
  let rest = "";
  const emit = (line: string) => {
    if (line.trim()) onLine(line);
  };
  return {
    take: (chunk) => {
      const lines = (rest + chunk.toString("utf8")).split("\n");
      rest = lines.pop() ?? "";
      lines.forEach(emit);
    },
    flush: () => {
      emit(rest);
      rest = "";
    },
  };
}

function cannotRun(program: string, error: Error): EnrollError {
  return new EnrollError(
    "docker",
    `cannot run ${program}: ${error.message}`,
    `Check that ${program} is installed and on PATH.`,
  );
}
