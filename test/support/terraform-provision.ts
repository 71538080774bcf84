import { blocks, parseHclFile, type HclBody } from "./hcl.js";
import { repoFile } from "./integrations.js";

export const TERRAFORM_EXAMPLE = repoFile("examples/terraform/main.tf");

export interface Provisioners {
  create: HclBody[];
  destroy: HclBody[];
}

/** The provisioners of the example's one resource: its create-time and destroy-time remote-exec. */
export async function provisioners(): Promise<Provisioners> {
  const config = await parseHclFile(TERRAFORM_EXAMPLE);
  const [resource] = blocks(config, "resource", "terraform_data", "rancher_host");
  if (!resource) throw new Error("no terraform_data.rancher_host in the example");
  const remote = blocks(resource, "provisioner", "remote-exec");
  return {
    create: remote.filter((block) => block.when === undefined),
    destroy: remote.filter((block) => block.when === "${destroy}"),
  };
}
