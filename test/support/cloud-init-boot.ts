import { stringify } from "yaml";
import type { ScratchMachine } from "./scratch-machine.js";
import type { CommandResult } from "./testbed/command.js";

/** What a cloud's metadata service would tell cloud-init, in NoCloud's meta-data keys. */
export interface MetaData {
  "instance-id": string;
  "local-hostname": string;
  "cloud-name"?: string;
  region?: string;
  "availability-zone"?: string;
}

// The real boot stages of Debian's cloud-init, on a NoCloud seed, with the modules that act on the keys our
// user-data uses (write_files; runcmd, which writes the script that scripts-user runs). Network configuration is
// the host's business here.
const BOOT_CONFIG = {
  datasource_list: ["NoCloud"],
  network: { config: "disabled" },
  cloud_init_modules: ["write-files"],
  cloud_config_modules: ["runcmd"],
  cloud_final_modules: ["scripts-user"],
};

const BOOT = "cloud-init init && cloud-init modules --mode config && cloud-init modules --mode final";

export interface Boot extends CommandResult {
  /** The errors cloud-init recorded in /run/cloud-init/result.json. */
  errors: string[];
  /** What the user-data's commands printed (cloud-init's /var/log/cloud-init-output.log holds it all). */
  output: string;
}

/** Boots `machine` for the first time as cloud-init would with this user-data and metadata. */
export async function bootWithCloudInit(
  machine: ScratchMachine,
  userData: string,
  metaData: MetaData,
  env: Record<string, string>,
): Promise<Boot> {
  await machine.write("/var/lib/cloud/seed/nocloud/user-data", userData);
  await machine.write("/var/lib/cloud/seed/nocloud/meta-data", stringify(metaData));
  await machine.write("/etc/cloud/cloud.cfg.d/99-test-boot.cfg", stringify(BOOT_CONFIG));
  const result = await machine.sh(BOOT, env);
  const status = await machine.read("/run/cloud-init/result.json").then(
    (text) => (JSON.parse(text) as { v1: { errors: string[] } }).v1.errors,
    () => ["cloud-init wrote no /run/cloud-init/result.json"],
  );
  const output = await machine.read("/var/log/cloud-init-output.log").catch(() => "");
  return { ...result, errors: status, output };
}
