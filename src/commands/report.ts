import type { Command } from "commander";
import { asEnrollError } from "../errors.js";
import { createLogger, type Logger } from "../log.js";
import { renderJsonError, renderTextError } from "../output.js";

/** What a command that only reads or writes this machine's files prints: a text, or one JSON object. */
export interface Report {
  json: Record<string, unknown>;
  text: string;
}

interface GlobalFlags {
  output: "text" | "json";
  logLevel: string;
}

/** Like runFlow, for the configuration commands: prints the report, or the error with its exit code. */
export async function runReport(command: Command, produce: (log: Logger) => Promise<Report>): Promise<void> {
  const { output, logLevel } = command.optsWithGlobals<GlobalFlags>();
  const log = await createLogger({ level: logLevel, pretty: Boolean(process.stderr.isTTY) });
  try {
    const report = await produce(log);
    process.stdout.write(
      `${output === "json" ? JSON.stringify({ ok: true, ...report.json }) : report.text}\n`,
    );
  } catch (caught) {
    const error = asEnrollError(caught);
    process.stderr.write(`${renderTextError(error)}\n`);
    if (output === "json") process.stdout.write(`${renderJsonError(error)}\n`);
    process.exitCode = error.exitCode;
  }
}

/** Rows as aligned columns. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
