import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { NODE_SETTING_NAMES, SETTINGS } from "../config/setting-table.js";
import type { Deadline } from "../deadline.js";
import { EnrollError } from "../errors.js";
import type { AgentPlan, AgentState, Installed, JoinSpec, NodeAgent, NodeOptions } from "../flows/seam.js";
import { maskToken, type Logger } from "../log.js";
import { localHostnames } from "./hostnames.js";
import { runProgram } from "./host-process.js";
import { parseInstallCommand } from "./install-command.js";
import { installerInvocation } from "./installer-invocation.js";
import { announceNodeAddress } from "./node-labels.js";
import {
  ensureMachineId,
  hostProblem,
  keepInstaller,
  keptInstaller,
  machinePath,
  MACHINE_ID_FILE,
  readMachineId,
  removeAgentState,
  SERVICE,
  systemctl,
  uninstallers,
  unitPresent,
} from "./system-agent-host.js";

/** What the system agent needs of this machine: our log, our state folder (the kept installer), our environment. */
export interface SystemMachine {
  log: Logger;
  stateDir: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** Installer lines that say what went wrong (install.sh's `error` and `fatal`). */
const FAILURE_LINE = /^\[(ERROR|FATAL)\]/;

/**
 * RKE2/K3s custom clusters' agent: rancher-system-agent, a systemd service that rancher/system-agent's
 * install.sh (served by the Rancher server) installs. We run the script the driver downloaded over verified TLS
 * (never `curl | sh`), keep it, and give it the secrets in its environment; the machine id is ours before it runs.
 */
export class SystemAgent implements NodeAgent {
  readonly line = "system-agent";
  readonly name = `the ${SERVICE} service`;
  readonly optionFlags = NODE_SETTING_NAMES.map((name) => SETTINGS[name].flag);
  readonly leavesOnceJoined = false;

  constructor(private readonly machine: SystemMachine) {}

  async preflight(): Promise<void> {
    const problem = hostProblem(this.machine.env);
    if (!problem) return;
    throw new EnrollError(
      "docker",
      `cannot install rancher-system-agent: ${problem}`,
      "RKE2/K3s custom clusters need root, systemd, curl and sha256sum on the machine: run rancher-enroll as root (sudo) on a systemd machine, with curl installed.",
    );
  }

  async announceAddress(options: NodeOptions): Promise<void> {
    announceNodeAddress(this.machine.log, options.address);
  }

  /** The node name given (lower-cased, as Kubernetes wants it), else the hostname rke2/k3s registers. */
  async names(options: NodeOptions): Promise<string[]> {
    if (options.nodeName) return [options.nodeName.toLowerCase()];
    return (await localHostnames()).map((name) => name.toLowerCase());
  }

  /** The installer's command line, secrets masked; a dry run downloads nothing, so it names where the script comes from. */
  async describe(join: JoinSpec, options: NodeOptions): Promise<AgentPlan> {
    const command = parseInstallCommand(join.command);
    const machineId = readMachineId() ?? "<made at install>";
    const script = `${this.machine.stateDir}/system-agent-install.sh`;
    const { shown } = installerInvocation(script, join, command, options, machineId);
    const sha256 = join.installer ? `, sha256 ${join.installer.sha256}` : "";
    return {
      command: `${shown}   # the script downloaded from ${join.installer?.url ?? command.scriptUrl}${sha256}`,
    };
  }

  /** Checks what install needs: the installer as downloaded (its checksum), the server's command readable. */
  async provision(join: JoinSpec): Promise<{ imagePulled: boolean }> {
    const installer = this.installerOf(join);
    if (sha256(installer.script) !== installer.sha256)
      throw new EnrollError(
        "internal",
        `the installer downloaded from ${installer.url} changed after download`,
      );
    parseInstallCommand(join.command);
    return { imagePulled: false };
  }

  /** Nothing to pull: the installer downloads the agent, and the agent rke2 or k3s. */
  async prefetch(): Promise<boolean> {
    return false;
  }

  /**
   * Runs the installer, which stops an agent of an earlier run, installs and (re)starts the service: run again
   * with the same machine id, it makes no second machine.
   */
  async install(join: JoinSpec, options: NodeOptions, deadline: Deadline): Promise<Installed> {
    const { log, stateDir } = this.machine;
    const installer = this.installerOf(join);
    const command = parseInstallCommand(join.command);
    this.warnLowerCased(options);
    const { id, created } = ensureMachineId();
    log.info({ machineId: id, file: MACHINE_ID_FILE }, `machine id ${id} (${created ? "made now" : "kept"})`);
    const script = keepInstaller(stateDir, installer.script);
    log.info(
      { url: installer.url, sha256: installer.sha256, kept: script },
      `running the installer from ${installer.url} (sha256 ${installer.sha256}), kept at ${script}`,
    );
    const invocation = installerInvocation(script, join, command, options, id);
    log.debug({ command: invocation.shown }, "installer command");
    const token = invocation.env.CATTLE_TOKEN;
    const run = await runProgram("sh", invocation.args, {
      env: invocation.env,
      deadline,
      what: `the installer (${script})`,
      onLine: (line) => log.debug({ installer: maskToken(line, token) }),
    });
    if (run.code !== 0)
      throw installerFailed(
        run.code,
        run.tail.map((line) => maskToken(line, token)),
        script,
      );
    return { imagePulled: false, identity: id };
  }

  async inspect(): Promise<AgentState> {
    if (!unitPresent()) return { present: false, running: false };
    return { present: true, running: (await systemctl(this.env(), "is-active", "--quiet")) === 0 };
  }

  /** The agent's credentials are the machine's own (its kubeconfig): a deleted machine is not brought back by it. */
  async lostCredentials(): Promise<boolean> {
    return false;
  }

  async stop(): Promise<void> {
    if (!unitPresent()) return;
    const code = await systemctl(this.env(), "stop");
    if (code !== 0) {
      throw new EnrollError(
        "docker",
        `\`systemctl stop ${SERVICE}\` failed (exit ${code})`,
        `Look at \`systemctl status ${SERVICE}\` and \`journalctl -u ${SERVICE}\`.`,
      );
    }
  }

  /** The uninstall scripts the installers left (the agent's, then rke2's or k3s's), and our kept installer. */
  async remove(deadline: Deadline): Promise<string[]> {
    const removed: string[] = [];
    for (const { what, path } of uninstallers()) {
      this.machine.log.info({ script: path }, `removing ${what}: ${path}`);
      const run = await runProgram("sh", [path], { env: this.env(), deadline, what: path });
      if (run.code !== 0) throw uninstallFailed(path, run.code, run.tail, removed);
      removed.push(`${what} (${path})`);
    }
    const kept = keptInstaller(this.machine.stateDir);
    if (kept) {
      rmSync(kept, { force: true });
      removed.push(kept);
    }
    return removed;
  }

  /** The machine id and the agent's state, so that the next `up` (or a machine made from this image) is new. */
  async purge(): Promise<string[]> {
    return removeAgentState();
  }

  private installerOf(join: JoinSpec): NonNullable<JoinSpec["installer"]> {
    if (join.installer) return join.installer;
    throw new EnrollError("internal", "no installer was downloaded for the system agent's join");
  }

  private warnLowerCased({ nodeName }: NodeOptions): void {
    if (nodeName && nodeName !== nodeName.toLowerCase()) {
      const lower = nodeName.toLowerCase();
      this.machine.log.warn(
        { given: nodeName, nodeName: lower },
        `node name "${nodeName}" lower-cased to "${lower}": Kubernetes requires lower-case node names`,
      );
    }
  }

  /** What systemctl and the uninstall scripts get: our PATH, nothing else of ours. */
  private env(): Record<string, string> {
    return { PATH: machinePath(this.machine.env) };
  }
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function installerFailed(code: number, tail: string[], script: string): EnrollError {
  const failures = tail.filter((line) => FAILURE_LINE.test(line));
  const quoted = (failures.length ? failures : tail.slice(-5)).map((line) => `  ${line.trim()}`).join("\n");
  return new EnrollError(
    "agent-failed",
    `the system agent's installer exited with code ${code}:\n${quoted}`,
    `The installer is kept at ${script}; \`--log-level debug\` shows all its output. Can this machine reach the server (firewall, proxy)?`,
  );
}

function uninstallFailed(path: string, code: number, tail: string[], removed: string[]): EnrollError {
  return new EnrollError(
    "agent-failed",
    `${path} exited with code ${code}:\n${tail
      .slice(-5)
      .map((line) => `  ${line.trim()}`)
      .join("\n")}`,
    `${removed.length ? `Removed before: ${removed.join(", ")}. ` : ""}Run it by hand to see why, then \`down\` again.`,
  );
}
