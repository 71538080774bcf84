// Debian's OpenSSH server on a scratch machine (scratch-machine.ts), for tools that reach machines over SSH
// (Terraform): it listens on the loopback only, at a free port, and takes the root login with a key made here;
// its sessions see the scratch machine's files, as a session on a real machine would.
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { machineEnv } from "./integrations.js";
import type { ScratchMachine } from "./scratch-machine.js";
import { waitFor } from "./testbed/wait.js";

const run = promisify(execFile);

export interface SshServer {
  host: "127.0.0.1";
  port: number;
  user: "root";
  /** The client's private key file. */
  privateKey: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

const keyPair = (file: string) => run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", file]);

/** Starts sshd on the machine, its files (keys, configuration, log, pid) in the machine's folder. */
export async function startSshServer(machine: ScratchMachine): Promise<SshServer> {
  const file = (name: string) => join(machine.dir, `ssh-${name}`);
  await keyPair(file("host-key"));
  await keyPair(file("client-key"));
  await writeFile(file("authorized-keys"), await readFile(file("client-key.pub")));
  const port = await freePort();
  await writeFile(
    file("config"),
    [
      `ListenAddress 127.0.0.1:${port}`,
      `HostKey ${file("host-key")}`,
      `AuthorizedKeysFile ${file("authorized-keys")}`,
      `PidFile ${file("pid")}`,
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      // The keys are in a temporary folder that the test owns, not in the user's home.
      "StrictModes no",
      "",
    ].join("\n"),
  );
  // sshd forks into the background and keeps the machine's namespace for its sessions.
  const started = await machine.sh(
    `mkdir -p /run/sshd && /usr/sbin/sshd -f '${file("config")}' -E '${file("log")}'`,
    machineEnv(),
  );
  if (started.code !== 0) throw new Error(`sshd did not start: ${started.stderr}`);
  // The daemon writes it once it listens.
  const pidFile = () => readFile(file("pid"), "utf8").catch(() => "");
  await waitFor("sshd's pid file", async () => (await pidFile()) !== "", { timeoutMs: 30_000 });
  const pid = Number(await pidFile());
  return {
    host: "127.0.0.1",
    port,
    user: "root",
    privateKey: file("client-key"),
    stop: async () => {
      try {
        process.kill(pid, "SIGTERM");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
      }
    },
  };
}
