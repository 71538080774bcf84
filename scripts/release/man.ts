// The man page, rancher-enroll(1), made by help2man (Debian's package) from the executable's `--help` and
// `--version`, with each command's `--help` as a section of its own.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The commands as `--help` lists them: "  name [options] ...  description". */
async function commandsOf(executable: string): Promise<string[]> {
  const { stdout } = await run(executable, ["--help"]);
  const commands = stdout.split("Commands:\n")[1] ?? "";
  return [...commands.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)]
    .map((match) => match[1]!)
    .filter((name) => name !== "help");
}

const roffVerbatim = (text: string) =>
  [
    ".nf",
    ...text
      .trimEnd()
      .split("\n")
      .map((line) => line.replaceAll("\\", "\\e").replace(/^[.']/, "\\&$&")),
    ".fi",
  ].join("\n");

export async function writeManPage(executable: string, file: string, include: string): Promise<void> {
  const sections: string[] = [];
  for (const command of await commandsOf(executable)) {
    const { stdout } = await run(executable, [command, "--help"]);
    sections.push(`[COMMAND: ${command.toUpperCase()}]\n${roffVerbatim(stdout)}\n`);
  }
  await writeFile(include, sections.join("\n"));
  await run("help2man", [
    ...["--no-info", "--section", "1", "--include", include, "--output", file],
    ...["--name", "enroll this machine into Rancher", "--version-string", await versionOf(executable)],
    executable,
  ]);
}

async function versionOf(executable: string): Promise<string> {
  const { stdout } = await run(executable, ["--version"]);
  return stdout.trim();
}
