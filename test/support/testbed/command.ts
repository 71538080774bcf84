import { spawn, type ChildProcess } from "node:child_process";
import { constants } from "node:os";

export interface CommandResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface CommandOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs a program to completion and reports its output and exit code (never rejects on a non-zero exit). */
export function runCommand(
  program: string,
  args: string[],
  options: CommandOptions = {},
): Promise<CommandResult> {
  return startCommand(program, args, options).done;
}

/** As runCommand, with the child process at hand (to signal it). */
export function startCommand(
  program: string,
  args: string[],
  options: CommandOptions = {},
): { child: ChildProcess; done: Promise<CommandResult> } {
  const child = spawn(program, args, {
    env: options.env ?? process.env,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const done = new Promise<CommandResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({ stdout, stderr, code: code ?? 128 + (signal ? constants.signals[signal] : 0) }),
    );
  });
  return { child, done };
}

/** Runs a program and returns its trimmed stdout; rejects with the command line and stderr on failure. */
export async function mustRun(
  program: string,
  args: string[],
  options: CommandOptions = {},
): Promise<string> {
  const result = await runCommand(program, args, options);
  if (result.code !== 0) {
    throw new Error(`${[program, ...args].join(" ")} exited with ${result.code}: ${result.stderr.trim()}`);
  }
  return result.stdout.trim();
}
