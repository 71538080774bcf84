import { resolveNamedSettings, type ServerFlags } from "../config/settings.js";
import { Deadline } from "../deadline.js";

export interface ClockFlags extends ServerFlags {
  timeout?: string;
  waitForDocker?: string;
}

export interface CommandClock {
  deadline: Deadline;
  waitForDockerSeconds: number;
}

/** A command's one deadline (`--timeout`), and how long it may wait for Docker within it. */
export function commandClock(flags: ClockFlags, warn: (message: string) => void): CommandClock {
  const { timeout, waitForDocker } = resolveNamedSettings(
    ["timeout", "waitForDocker"],
    flags,
    process.env,
    warn,
  );
  const deadline = new Deadline(timeout);
  return { deadline, waitForDockerSeconds: deadline.cap(waitForDocker) };
}
