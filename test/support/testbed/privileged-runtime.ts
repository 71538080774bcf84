import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const dropUngrantable = fileURLToPath(new URL("./drop-ungrantable.mjs", import.meta.url));

/**
 * Writes an OCI runtime for dockerd's `--add-runtime`: runc, with a step before each container creation that
 * removes what this sandbox cannot grant, so that `--privileged` containers start (drop-ungrantable.mjs).
 */
export async function writePrivilegedRuntime(dir: string, runc = "/usr/sbin/runc"): Promise<string> {
  const path = join(dir, "privileged-runtime");
  const drop = `${shellQuote(process.execPath)} ${shellQuote(dropUngrantable)} "$@" || exit 1`;
  const script = [
    "#!/bin/sh",
    `case " $* " in *" create "* | *" run "*) ${drop} ;; esac`,
    `exec ${shellQuote(runc)} "$@"`,
  ];
  await writeFile(path, `${script.join("\n")}\n`);
  await chmod(path, 0o755);
  return path;
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
