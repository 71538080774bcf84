// The test bed's rancher-system-agent world (issue 15): the fake installer the v3 simulator serves, and scratch
// machines that look booted with systemd (the marker sd_booted() checks, and the test bed's systemctl on PATH).
// What is real and what is not: test/support/simulator/v3/README.md, "RKE2/K3s custom clusters".
import { readFileSync } from "node:fs";
import { ScratchMachine, type ScratchMachineOptions } from "./scratch-machine.js";

const file = (name: string) => readFileSync(new URL(`system-agent/${name}`, import.meta.url), "utf8");

/** install.sh as the simulator serves it: the fake agent and the stand-in uninstall script placed from heredocs. */
export function fakeInstallerScript(): string {
  const fill = (text: string, placeholder: string, name: string) => {
    if (text.split(placeholder).length !== 2) throw new Error(`install.sh must hold ${placeholder} once`);
    return text.replace(placeholder, () => file(name).trimEnd());
  };
  const withAgent = fill(file("install.sh"), "@AGENT_BINARY@", "rancher-system-agent");
  return fill(withAgent, "@AGENT_UNINSTALL@", "system-agent-uninstall.sh");
}

/** Where the test bed's systemctl goes: first on a root shell's PATH, before the machine's own /usr/bin/systemctl. */
export const SYSTEMCTL = "/usr/local/sbin/systemctl";

/** A scratch machine that runs "systemd": /run/systemd/system exists, and systemctl is the test bed's. */
export async function systemdMachine(options: ScratchMachineOptions = {}): Promise<ScratchMachine> {
  const machine = await ScratchMachine.create(options);
  await machine.write(SYSTEMCTL, file("systemctl"), 0o755);
  await machine.write("/run/systemd/system/.booted", "");
  return machine;
}

/** Stops what the test bed's systemctl started on the machine (its services outlive the commands that ran). */
export async function stopServices(machine: ScratchMachine): Promise<void> {
  await machine.sh(
    `for f in /run/test-systemd/*.pid; do [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null; done; true`,
    { PATH: "/usr/bin:/bin" },
  );
}
