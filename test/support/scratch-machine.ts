import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { mustRun, startCommand, type CommandResult } from "./testbed/command.js";

/** The folders that the tools we test write to: each is copy-on-write in a scratch machine. */
const WRITABLE = ["/etc", "/usr", "/var", "/root", "/run"] as const;

/**
 * rancher-enroll's own config and state: a fresh machine has neither, whatever this machine has (a leftover
 * enrollment record or lock would otherwise reach every test that runs the tool on a scratch machine).
 */
export const TOOL_FOLDERS = ["/etc/rancher-enroll", "/var/lib/rancher-enroll"] as const;

// Runs as root in a mount and UTS namespace of its own: an overlay over each writable folder (the image's layers
// under this machine's changes; not for /run, a tmpfs that a machine made from an image starts without), and the test
// bed's engine at /var/run/docker.sock, where a real machine has its Docker engine. Arguments: upper folder, work
// folder, lower layers (':'-joined, may be empty), engine socket (may be empty), then the command.
const NAMESPACE_SETUP = `set -eu
upper=$1 work=$2 layers=$3 socket=$4
shift 4
for dir in ${WRITABLE.join(" ")}; do
  lower=$dir
  for layer in $(echo "$layers" | tr ':' ' '); do
    [ "$dir" = /run ] || lower="$layer$dir:$lower"
  done
  mkdir -p "$upper$dir" "$work$dir"
  mount -t overlay overlay -o "lowerdir=$lower,upperdir=$upper$dir,workdir=$work$dir" "$dir"
done
if [ -n "$socket" ]; then
  : > /run/docker.sock
  mount --bind "$socket" /run/docker.sock
fi
exec "$@"`;

export interface ScratchMachineOptions {
  /** A machine whose files this one starts from, as a machine made from an image starts from the image. */
  image?: ScratchMachine;
  /** The engine that answers at /var/run/docker.sock: a DOCKER_HOST such as unix:///path/docker.sock. */
  dockerHost?: string;
}

/**
 * This machine as a throwaway copy: commands run as root on the real system, but what they write under /etc, /usr,
 * /var, /root and /run lands in a temporary folder, and hostname changes stay theirs.
 * Automation under test (cloud-init, Ansible, Packer's and Terraform's scripts) runs here unchanged, at the real
 * paths, without touching the machine's own configuration.
 */
export class ScratchMachine {
  private constructor(
    readonly dir: string,
    private readonly layers: string[],
    private readonly socket: string,
  ) {}

  static async create(options: ScratchMachineOptions = {}): Promise<ScratchMachine> {
    const dir = await mkdtemp(join(tmpdir(), "rancher-enroll-machine-"));
    await mkdir(join(dir, "upper"));
    // A machine made from an image finds the tool's folders as the image left them, this machine's stay hidden.
    if (!options.image) await hideToolFolders(join(dir, "upper"));
    const layers = options.image ? [...options.image.layers, options.image.upper] : [];
    return new ScratchMachine(dir, layers, socketPath(options.dockerHost));
  }

  private get upper(): string {
    return join(this.dir, "upper");
  }

  /** Runs a program on the machine; env replaces the environment (PATH included). */
  run(program: string, args: string[], env: Record<string, string>): Promise<CommandResult> {
    return this.start(program, args, env).done;
  }

  /** As run, with the process at hand: unshare and the setup exec into the program, so signals reach it alone. */
  start(program: string, args: string[], env: Record<string, string>): ReturnType<typeof startCommand> {
    const layers = this.layers.join(":");
    const setup = ["sh", "-c", NAMESPACE_SETUP, "sh", this.upper, join(this.dir, "work"), layers];
    return startCommand(
      "unshare",
      ["--mount", "--uts", "--propagation", "private", "--", ...setup, this.socket, program, ...args],
      { env },
    );
  }

  /** Runs a shell script on the machine. */
  sh(script: string, env: Record<string, string>): Promise<CommandResult> {
    return this.run("sh", ["-c", script], env);
  }

  /** Where a file that this machine wrote at `path` is on the real system. */
  written(path: string): string {
    if (!WRITABLE.some((dir) => path.startsWith(`${dir}/`))) throw new Error(`${path} is not writable here`);
    return join(this.upper, path);
  }

  /** The mode (e.g. 0o600) of a file this machine wrote, or undefined if it wrote none there. */
  async modeOf(path: string): Promise<number | undefined> {
    const stats = await stat(this.written(path)).catch(() => undefined);
    return stats && stats.mode & 0o7777;
  }

  /**
   * Puts a file on the machine before it runs anything, as an image or a seed would: through the machine's own
   * view of its files, so that a folder hidden from the layers below (see TOOL_FOLDERS) starts empty.
   */
  async write(path: string, content: string, mode = 0o644): Promise<void> {
    this.written(path);
    const staging = await mkdtemp(join(this.dir, "write-"));
    try {
      const file = join(staging, "content");
      await writeFile(file, content);
      const args = ["-D", "-m", mode.toString(8), file, path];
      const result = await this.run("install", args, { PATH: "/usr/bin:/bin" });
      if (result.code !== 0) throw new Error(`writing ${path} failed: ${result.stderr.trim()}`);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  read(path: string): Promise<string> {
    return readFile(this.written(path), "utf8");
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** An overlay whiteout (a 0/0 character device) in the upper folder hides the path of the layers below. */
async function hideToolFolders(upper: string): Promise<void> {
  for (const folder of TOOL_FOLDERS) {
    await mkdir(dirname(join(upper, folder)), { recursive: true });
    await mustRun("mknod", [join(upper, folder), "c", "0", "0"]);
  }
}

function socketPath(dockerHost: string | undefined): string {
  if (!dockerHost) return "";
  if (!dockerHost.startsWith("unix://")) throw new Error(`not a unix socket: ${dockerHost}`);
  return dockerHost.slice("unix://".length);
}
