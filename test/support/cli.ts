import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { pathWithoutNode } from "./path-without-node.js";

export const CLI_PATH = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

/** The single executable to test instead of `node dist/cli.js` (scripts/test.sh sets it for a second pass). */
export const CLI_BIN = process.env.RANCHER_ENROLL_BIN;

/** The command line that runs the CLI under test with these arguments, and the PATH to give it. */
export function cliInvocation(args: string[]): { argv: string[]; path: string | undefined } {
  if (CLI_BIN) return { argv: [CLI_BIN, ...args], path: pathWithoutNode() };
  return { argv: [process.execPath, CLI_PATH, ...args], path: process.env.PATH };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as the one JSON object of `--output json`. */
  json(): Record<string, unknown>;
}

/** stderr as a person reads it: piped, every log line starts with an ISO timestamp. */
export function withoutTimestamps(stderr: string): string {
  return stderr.replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z /gm, "");
}

/**
 * Runs the built CLI as a user's script would: a child process with exactly the environment given (plus PATH),
 * no standard input, stdout and stderr captured apart. The single executable (CLI_BIN) gets a PATH without node.
 */
export function runCli(
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs = 120_000,
): Promise<CliRun> {
  return startCli(args, env, timeoutMs).done;
}

/** As runCli, with the child process at hand (to signal it). */
export function startCli(
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs = 120_000,
): { child: ChildProcess; done: Promise<CliRun> } {
  const { argv, path } = cliInvocation(args);
  const child = spawn(argv[0]!, argv.slice(1), {
    env: { PATH: path, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    timeout: timeoutMs,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        code,
        stdout,
        stderr,
        json: () => JSON.parse(stdout) as Record<string, unknown>,
      }),
    );
  });
  return { child, done };
}
