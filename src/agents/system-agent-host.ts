import { createHash, randomBytes } from "node:crypto";
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { EnrollError } from "../errors.js";
import { writeFileAtomically } from "../local-files.js";
import { checkStateDirectory } from "../state/directory.js";
import { runProgram } from "./host-process.js";

/**
 * Where rancher-system-agent's installer (rancher/system-agent install.sh, its defaults) and the rke2/k3s it
 * installs leave things on a machine: fixed paths, as on every machine; tests run on a throwaway copy of one.
 */
export const SERVICE = "rancher-system-agent";
export const UNIT_FILE = `/etc/systemd/system/${SERVICE}.service`;
const CONFIG_DIR = "/etc/rancher/agent";
const VAR_DIR = "/var/lib/rancher/agent";
export const MACHINE_ID_FILE = `${CONFIG_DIR}/cattle-id`;
/** Where install.sh finds curl, sha256sum and systemctl when our own PATH is empty (a unit's plain environment). */
const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** What sd_booted() checks: systemd runs this machine. */
const SYSTEMD_RUNNING = "/run/systemd/system";

/** The uninstall scripts the installers leave, in the order they run: the agent first, so that it re-applies nothing. */
const UNINSTALLERS = [
  {
    what: SERVICE,
    script: "rancher-system-agent-uninstall.sh",
    dirs: ["/usr/local/bin", "/opt/rancher-system-agent/bin", "/usr/bin"],
  },
  { what: "rke2", script: "rke2-uninstall.sh", dirs: ["/usr/local/bin", "/opt/rke2/bin", "/usr/bin"] },
  { what: "k3s", script: "k3s-uninstall.sh", dirs: ["/usr/local/bin", "/opt/bin"] },
  { what: "k3s agent", script: "k3s-agent-uninstall.sh", dirs: ["/usr/local/bin", "/opt/bin"] },
] as const;

export function machinePath(env: Readonly<Record<string, string | undefined>>): string {
  return env.PATH || DEFAULT_PATH;
}

/** The programs install.sh runs that a minimal image may lack (it stops at the first missing one, half-way). */
const INSTALLER_NEEDS = ["curl", "sha256sum", "systemctl"];

/** What install.sh checks first (it must run as root), what the service needs, and what the installer runs. */
export function hostProblem(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (process.getuid?.() !== 0)
    return "rancher-system-agent is installed as root, and this command does not run as root";
  if (!isDirectory(SYSTEMD_RUNNING))
    return `this machine does not run systemd (no ${SYSTEMD_RUNNING}), and rancher-system-agent is a systemd service`;
  const path = machinePath(env).split(":").filter(Boolean);
  const missing = INSTALLER_NEEDS.filter((program) => !path.some((dir) => isExecutable(join(dir, program))));
  if (missing.length)
    return `the installer needs ${missing.join(", ")}, not found on PATH (${path.join(":")})`;
  return undefined;
}

/** The machine id the installer keeps (CATTLE_ID), if there is one. */
export function readMachineId(): string | undefined {
  try {
    return readFileSync(MACHINE_ID_FILE, "utf8").trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new EnrollError("usage", `cannot read ${MACHINE_ID_FILE}: ${(error as Error).message}`);
  }
}

/**
 * This machine's id, made here as install.sh makes it (sha256 of random bytes, 63 hex digits) and kept where it
 * keeps it, before anything runs: a run killed half-way leaves the next one the same id, hence the same machine.
 */
export function ensureMachineId(): { id: string; created: boolean } {
  const kept = readMachineId();
  if (kept) return { id: kept, created: false };
  const id = createHash("sha256").update(randomBytes(512)).digest("hex").slice(0, 63);
  mkdirSync(CONFIG_DIR, { recursive: true, mode: 0o700 });
  writeFileAtomically(MACHINE_ID_FILE, `${id}\n`, 0o600);
  return { id, created: true };
}

/** The installer as the driver fetched it, kept in our state folder (root's only) so that what ran can be read. */
export function keepInstaller(stateDir: string, script: string): string {
  checkStateDirectory(stateDir, true);
  const path = join(stateDir, "system-agent-install.sh");
  writeFileAtomically(path, script, 0o700);
  return path;
}

export function keptInstaller(stateDir: string): string | undefined {
  const path = join(stateDir, "system-agent-install.sh");
  return existsSync(path) ? path : undefined;
}

export const unitPresent = () => existsSync(UNIT_FILE);

/** `systemctl <args> rancher-system-agent`: its exit code (is-active: 0 when active). */
export async function systemctl(env: Record<string, string>, ...args: string[]): Promise<number> {
  return (await runProgram("systemctl", [...args, SERVICE], { env })).code;
}

/** The uninstall scripts present on this machine, with what each removes. */
export function uninstallers(): { what: string; path: string }[] {
  return UNINSTALLERS.flatMap(({ what, script, dirs }) => {
    const path = dirs.map((dir) => join(dir, script)).find((p) => existsSync(p));
    return path ? [{ what, path }] : [];
  });
}

/** The agent's identity and state, as far as they are still here; answers what was removed. */
export function removeAgentState(): string[] {
  const removed = [MACHINE_ID_FILE, CONFIG_DIR, VAR_DIR].filter((path) => existsSync(path));
  for (const path of [CONFIG_DIR, VAR_DIR]) rmSync(path, { recursive: true, force: true });
  return removed;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
