import { spawn } from "node:child_process";
import { open, readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

/** A long-running program whose output goes to a log file; it runs in its own process group. */
export interface Daemon {
  /** Why the program is no longer running, or undefined while it runs. */
  exitReason(): string | undefined;
  logTail(lines?: number): Promise<string>;
  /** SIGTERM, then SIGKILL to the whole process group after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export async function startDaemon(program: string, args: string[], logFile: string): Promise<Daemon> {
  const log = await open(logFile, "a");
  const child = spawn(program, args, { stdio: ["ignore", log.fd, log.fd], detached: true });
  await log.close();
  let exitReason: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.on("exit", (code, signal) => {
      exitReason = `${program} exited (${signal ?? `code ${String(code)}`})`;
      resolve();
    });
    child.on("error", (error) => {
      exitReason = `${program} failed: ${error.message}`;
      resolve();
    });
  });

  return {
    exitReason: () => exitReason,
    logTail: async (lines = 20) => {
      const text = await readFile(logFile, "utf8").catch(() => "");
      return text.trimEnd().split("\n").slice(-lines).join("\n");
    },
    stop: async (graceMs = 20_000) => {
      if (exitReason !== undefined || child.pid === undefined) return;
      child.kill("SIGTERM");
      const timedOut = await Promise.race([
        exited.then(() => false),
        sleep(graceMs, undefined, { ref: false }).then(() => true),
      ]);
      if (timedOut) {
        process.kill(-child.pid, "SIGKILL");
        await exited;
      }
    },
  };
}
