// The files that both packages install, staged in a folder laid out as the machine's root: the single executable at
// /usr/bin/rancher-enroll, the systemd unit (starting it there), the man page and the copyright file.
import { chmod, copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";

export const INSTALLED_BINARY = "/usr/bin/rancher-enroll";
const SHIPPED_BINARY = "/usr/local/bin/rancher-enroll";
const root = join(import.meta.dirname, "../..");

export interface Payload {
  executable: string;
  /** The roff man page (man.ts). */
  manPage: string;
}

/** Where each package installs a file (the unit: /lib on Debian 12, whose lintian wants it there; /usr/lib on RHEL). */
export interface Layout {
  unitDir: string;
}

/** gzip -9n: no name, no timestamp in the header (lintian checks both). */
export const gzip = (data: string | Buffer) => gzipSync(data, { level: 9 });

export async function put(staging: string, path: string, content: string | Buffer, mode = 0o644) {
  const file = join(staging, path);
  await mkdir(dirname(file), { recursive: true, mode: 0o755 });
  await writeFile(file, content);
  await chmod(file, mode);
}

export async function stage(staging: string, payload: Payload, layout: Layout): Promise<void> {
  const binary = join(staging, INSTALLED_BINARY);
  await mkdir(dirname(binary), { recursive: true, mode: 0o755 });
  await copyFile(payload.executable, binary);
  await chmod(binary, 0o755);
  const unit = await readFile(join(root, "systemd/rancher-enroll.service"), "utf8");
  if (!unit.includes(`ExecStart=${SHIPPED_BINARY} `))
    throw new Error(`the unit does not start ${SHIPPED_BINARY}`);
  await put(
    staging,
    `${layout.unitDir}/rancher-enroll.service`,
    unit
      .replaceAll(SHIPPED_BINARY, INSTALLED_BINARY)
      .replace(/^Description=.*$/m, "$&\nDocumentation=man:rancher-enroll(1)"),
  );
  await put(staging, "/usr/share/man/man1/rancher-enroll.1.gz", gzip(await readFile(payload.manPage)));
  await put(
    staging,
    "/usr/share/doc/rancher-enroll/copyright",
    await readFile(join(root, "packaging/copyright")),
  );
}

/** A removal script with the shared enrollment note (packaging/enrollment-note.sh) in place of its marker. */
export async function withEnrollmentNote(script: string): Promise<string> {
  const note = await readFile(join(root, "packaging/enrollment-note.sh"), "utf8");
  if (!script.includes("#ENROLLMENT_NOTE#\n")) throw new Error("no #ENROLLMENT_NOTE# line in the script");
  return script.replace("#ENROLLMENT_NOTE#\n", note);
}
