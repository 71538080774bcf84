#!/usr/bin/env node
import { CommanderError } from "commander";
import { buildProgram } from "./commands/program.js";
import { answerCrash, jsonFailure, requestedOutput } from "./answer.js";
import { EnrollError, EXIT_CODES } from "./errors.js";

const program = buildProgram(process.argv.slice(2));

async function main(): Promise<void> {
  try {
    await program.parseAsync();
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    process.exitCode = error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
    if (error.exitCode !== 0) jsonFailure(requestedOutput(), usageError(error));
    // commander has answered (help, version or a usage error), all of it written synchronously: end at once, without
    // the orderly teardown of Node.js's heap that a natural exit does, a tenth of the time `--help` takes.
    process.exit();
  }
}

/** commander has told the error on stderr already ("error: unknown option '--x'"). */
function usageError(error: CommanderError): EnrollError {
  const command = process.argv.slice(2).find((arg) => program.commands.some((c) => c.name() === arg));
  return new EnrollError(
    "usage",
    error.message.replace(/^error: /, ""),
    `See \`rancher-enroll ${command ? `${command} ` : ""}--help\`.`,
  );
}

process.on("uncaughtException", answerCrash);
process.on("unhandledRejection", answerCrash);

// Not a top-level await: the single executable is a CommonJS bundle.
void main();
