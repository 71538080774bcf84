import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { blocks, interpolate, parseHclFile, type HclBody } from "./hcl.js";
import { machineEnv, repoFile } from "./integrations.js";
import type { ScratchMachine } from "./scratch-machine.js";
import type { CommandResult } from "./testbed/command.js";

export const PACKER_TEMPLATE = repoFile("packer/rancher-host.pkr.hcl");

/** Packer's shell provisioner defaults (packer 1.6). */
const DEFAULT_SHEBANG = "/bin/sh -e";
const DEFAULT_EXECUTE = "chmod +x {{ .Path }}; {{ .Vars }} {{ .Path }}";

/**
 * Runs the template's shell provisioners on `machine` as Packer runs them on the machine it builds an image from:
 * the inline commands as one script with Packer's shebang, started by the template's execute_command with the
 * environment_vars in {{ .Vars }} (quoted as Packer quotes them) and `variables` as the user's -var values.
 */
export async function bakeWithPacker(
  machine: ScratchMachine,
  variables: Record<string, string>,
): Promise<CommandResult> {
  const template = await parseHclFile(PACKER_TEMPLATE);
  const scope = variableScope(template, variables);
  let result: CommandResult = { code: 0, stdout: "", stderr: "" };
  for (const [index, shell] of blocks(blocks(template, "build")[0]!, "provisioner", "shell").entries()) {
    const script = join(machine.dir, `packer-shell-${index}.sh`);
    const inline = (shell.inline as string[]).map((line) => interpolate(line, scope));
    await writeFile(
      script,
      `#!${(shell.inline_shebang as string) ?? DEFAULT_SHEBANG}\n${inline.join("\n")}\n`,
    );
    const vars = ((shell.environment_vars as string[] | undefined) ?? []).map((pair) =>
      interpolate(pair, scope),
    );
    const command = ((shell.execute_command as string) ?? DEFAULT_EXECUTE)
      .replace(/{{\s*\.Path\s*}}/g, script)
      .replace(/{{\s*\.Vars\s*}}/g, vars.map(quoteVar).join(" "));
    result = await machine.sh(command, machineEnv());
    if (result.code !== 0) break;
  }
  return result;
}

function variableScope(template: HclBody, given: Record<string, string>): Record<string, string> {
  const scope: Record<string, string> = {};
  for (const [name, [declaration]] of Object.entries(template.variable as Record<string, HclBody[]>)) {
    const value = given[name] ?? (declaration!.default as string | undefined);
    if (value === undefined) throw new Error(`variable ${name} has no default: give it`);
    scope[`var.${name}`] = value;
  }
  return scope;
}

/** NAME='value', as Packer's shell provisioner writes environment_vars. */
function quoteVar(pair: string): string {
  const separator = pair.indexOf("=");
  return `${pair.slice(0, separator)}='${pair.slice(separator + 1).replaceAll("'", `'"'"'`)}'`;
}
