import { printable, printableLines } from "./rancher/server-text.js";

/** One pino record as pino serialises it (`base: undefined`: no pid or hostname). */
export interface LogRecord {
  level: number;
  time?: number;
  msg?: string;
  phase?: string;
  hint?: string;
  err?: { message?: string; stack?: string };
  [field: string]: unknown;
}

/** Where text lines go, which decides what each line starts with. */
export type TextStyle = "terminal" | "journal" | "plain";

const LEVELS: Readonly<Record<number, { name: string; syslog: number }>> = {
  10: { name: "trace", syslog: 7 },
  20: { name: "debug", syslog: 7 },
  30: { name: "info", syslog: 6 },
  40: { name: "warning", syslog: 4 },
  50: { name: "error", syslog: 3 },
  60: { name: "fatal", syslog: 2 },
};
const PLAIN_FIELDS = new Set(["level", "time", "msg", "phase", "hint", "err"]);
const MAX_FIELD_CHARS = 200;

/**
 * Lines for people, in the spirit of kubeadm's `[preflight] ...`: the phase the event belongs to, the level when it
 * is not plain information, the message; the hint on a line of its own. Fields are shown only at debug level, on
 * the same line and cut short: a person reads the message, a machine asks for `--log-format json`.
 */
export class TextFormatter {
  /** Events logged inside a phase without naming it belong to the last phase that started. */
  private phase: string | undefined;

  constructor(
    private readonly style: TextStyle,
    private readonly colours = false,
  ) {}

  /** `untagged`: the command's own answer (its error), which belongs to no phase. */
  format(record: LogRecord, untagged = false): string {
    if (typeof record.phase === "string") this.phase = record.phase;
    const level = LEVELS[record.level] ?? { name: String(record.level), syslog: 6 };
    const lines = [this.headLine(record, level.name, untagged), ...this.detailLines(record)];
    return lines.map((line) => `${this.prefix(record, level.syslog)}${line}\n`).join("");
  }

  private headLine(record: LogRecord, level: string, untagged: boolean): string {
    const tag = this.phase && !untagged ? `[${this.phase}] ` : "";
    // Messages quote servers and agents: their own line breaks kept, no escape sequence reaches the terminal.
    const message = phaseStart(record) ? "" : printableLines(record.msg ?? "");
    const shown =
      level === "info" || level === "debug" ? message : `${this.paint(level, `${level}:`)} ${message}`;
    const fields = record.level <= 20 ? debugFields(record) : "";
    return `${tag}${shown}${fields}`.trimEnd();
  }

  private detailLines(record: LogRecord): string[] {
    const lines = record.hint ? [`  ${printable(record.hint)}`] : [];
    const stack = record.level <= 20 ? record.err?.stack : undefined;
    if (stack) lines.push(...stack.split("\n").map((line) => `  ${line.trim()}`));
    return lines;
  }

  private prefix(record: LogRecord, syslog: number): string {
    if (this.style === "journal") return `<${syslog}>`;
    if (this.style === "plain") return `${new Date(record.time ?? Date.now()).toISOString()} `;
    return "";
  }

  private paint(level: string, text: string): string {
    if (!this.colours) return text;
    const colour = level === "warning" ? 33 : level === "info" || level === "debug" ? 0 : 31;
    return colour ? `\u001b[${colour}m${text}\u001b[0m` : text;
  }
}

/** A phase's first line names only the phase (`check docker engine…`): the tag says it already. */
function phaseStart(record: LogRecord): boolean {
  return typeof record.phase === "string" && record.msg?.replace(/\u2026$/, "") === record.phase;
}

function debugFields(record: LogRecord): string {
  const shown = Object.entries(record)
    .filter(([key, value]) => !PLAIN_FIELDS.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${clip(typeof value === "string" ? value : JSON.stringify(value))}`);
  return shown.length ? ` ${shown.join(" ")}` : "";
}

function clip(text: string): string {
  const shown = printable(text);
  return shown.length > MAX_FIELD_CHARS ? `${shown.slice(0, MAX_FIELD_CHARS)}…` : shown;
}
