import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { cliInvocation } from "./cli.js";
import { mustRun } from "./testbed/command.js";

export interface TerminalOptions {
  columns?: number;
  rows?: number;
}

/**
 * The CLI at a real terminal: a pseudo-terminal that tmux (a private server, no user configuration) gives it, of a
 * chosen size. A test reads the screen as a person sees it (escape sequences applied, not shown), types keys, and
 * gets the exit code.
 */
export class Terminal {
  private constructor(
    private readonly dir: string,
    readonly columns: number,
  ) {}

  /** Starts `rancher-enroll args...` with exactly `env` (plus PATH and TERM) on a terminal. */
  static async start(
    args: string[],
    env: Record<string, string | undefined>,
    { columns = 80, rows = 24 }: TerminalOptions = {},
  ): Promise<Terminal> {
    const dir = await mkdtemp(join(tmpdir(), "rancher-enroll-terminal-"));
    const terminal = new Terminal(dir, columns);
    const { argv, path } = cliInvocation(args);
    const variables = Object.entries({ PATH: path, TERM: "screen", ...env })
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([name, value]) => `${name}=${value}`);
    // The pane stays after the program ends (the shell sleeps), so that its last screen can be read; Ctrl-C reaches
    // the program, and the shell (trapping it) goes on to record the exit code.
    const script = 'trap true INT; exit_file=$1; shift; "$@"; echo $? > "$exit_file"; exec sleep 3600';
    const program = ["env", "-i", ...variables, ...argv];
    const size = ["-x", String(columns), "-y", String(rows)];
    await terminal.tmux([
      "new-session",
      "-d",
      ...size,
      "sh",
      "-c",
      script,
      "sh",
      terminal.exitFile,
      ...program,
    ]);
    await terminal.tmux(["pipe-pane", "-o", `cat >> '${terminal.rawFile}'`]);
    return terminal;
  }

  private get exitFile(): string {
    return join(this.dir, "exit");
  }

  private get rawFile(): string {
    return join(this.dir, "raw");
  }

  /** What the program wrote to the terminal, escape sequences included (from the first milliseconds on). */
  raw(): Promise<string> {
    return readFile(this.rawFile, "utf8").catch(() => "");
  }

  private tmux(args: string[]): Promise<string> {
    return mustRun("tmux", ["-S", join(this.dir, "tmux.sock"), "-f", "/dev/null", ...args]);
  }

  /** The screen and what scrolled off it, as text lines without trailing blanks. */
  async screen(): Promise<string> {
    const text = await this.tmux(["capture-pane", "-p", "-J", "-S", "-"]);
    return text.replace(/\s+$/, "");
  }

  /** Types text; `enter` presses Return after it. */
  async type(text: string, enter = true): Promise<void> {
    await this.tmux(["send-keys", "-l", text]);
    if (enter) await this.press("Enter");
  }

  /** Presses a key by tmux's name for it: Enter, C-c, ... */
  async press(key: string): Promise<void> {
    await this.tmux(["send-keys", key]);
  }

  async waitForScreen(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    const giveUp = Date.now() + timeoutMs;
    for (;;) {
      const screen = await this.screen();
      if (pattern.test(screen)) return screen;
      if (Date.now() > giveUp) throw new Error(`the screen never showed ${pattern}:\n${screen}`);
      await sleep(100);
    }
  }

  /** Waits for the program to end: its exit code. */
  async exitCode(timeoutMs = 120_000): Promise<number> {
    const giveUp = Date.now() + timeoutMs;
    for (;;) {
      const text = await readFile(this.exitFile, "utf8").catch(() => "");
      if (text.trim()) return Number(text);
      if (Date.now() > giveUp)
        throw new Error(`still running after ${timeoutMs} ms:\n${await this.screen()}`);
      await sleep(100);
    }
  }

  async dispose(): Promise<void> {
    await this.tmux(["kill-server"]).catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}
