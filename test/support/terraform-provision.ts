import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { blocks, interpolate, parseHclFile, type HclBody } from "./hcl.js";
import { machineEnv, repoFile } from "./integrations.js";
import type { ScratchMachine } from "./scratch-machine.js";
import type { CommandResult } from "./testbed/command.js";

export const TERRAFORM_EXAMPLE = repoFile("examples/terraform/main.tf");

export interface Provisioners {
  files: HclBody[];
  create: HclBody[];
  destroy: HclBody[];
}

/** The provisioners of the example's one resource: uploads, create-time and destroy-time remote-exec. */
export async function provisioners(): Promise<Provisioners> {
  const config = await parseHclFile(TERRAFORM_EXAMPLE);
  const [resource] = blocks(config, "resource", "terraform_data", "rancher_host");
  if (!resource) throw new Error("no terraform_data.rancher_host in the example");
  const remote = blocks(resource, "provisioner", "remote-exec");
  return {
    files: blocks(resource, "provisioner", "file"),
    create: remote.filter((block) => block.when === undefined),
    destroy: remote.filter((block) => block.when === "${destroy}"),
  };
}

/**
 * What Terraform does on the machine at create (uploads, then create-time scripts) or destroy, over an SSH session as
 * root: a file provisioner's content lands at its destination (relative: in the home folder, mode 0644 as scp writes
 * it); a remote-exec's inline lines become one script, run from the home folder by the interpreter its first line
 * names. Stops at the first script that fails, as Terraform does.
 */
export async function provision(
  machine: ScratchMachine,
  when: "create" | "destroy",
  variables: Record<string, string>,
): Promise<CommandResult> {
  const scope = Object.fromEntries(Object.entries(variables).map(([name, value]) => [`var.${name}`, value]));
  const found = await provisioners();
  if (when === "create") {
    for (const upload of found.files) {
      const destination = upload.destination as string;
      const path = destination.startsWith("/") ? destination : `/root/${destination}`;
      await machine.write(path, interpolate(upload.content as string, scope));
    }
  }
  let result: CommandResult = { code: 0, stdout: "", stderr: "" };
  for (const [index, block] of found[when].entries()) {
    const script = join(machine.dir, `terraform-${when}-${index}.sh`);
    const lines = (block.inline as string[]).map((line) => interpolate(line, scope));
    await writeFile(script, `${lines.join("\n")}\n`);
    result = await machine.sh(`cd && chmod 0777 '${script}' && '${script}'`, machineEnv());
    if (result.code !== 0) break;
  }
  return result;
}
