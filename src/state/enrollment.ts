import { readFile, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { EnrollError } from "../errors.js";
import { writeFileAtomically } from "../local-files.js";
import type { Target } from "../rancher/api.js";
import { checkStateDirectory } from "./directory.js";

/** What the tool knows about this machine's enrollment. The host's identity itself stays in the agent's state. */
export interface Enrollment {
  server: string;
  environment: Target;
  agentImage: string;
  registrationId: string;
  /** When the agent was last launched: hosts created since then came from that launch. */
  launchedAt: string;
  /** Set once the host was confirmed. */
  hostId?: string;
  /** The agent the host belongs to: it outlives host records deleted on the server. */
  agentId?: string;
  hostname?: string;
  confirmedAt?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Root (the usual case: the Docker socket) keeps it in /var/lib; other users in their XDG state folder. */
export function stateDir(env: Env = process.env): string {
  if (env.RANCHER_ENROLL_STATE_DIR) return env.RANCHER_ENROLL_STATE_DIR;
  if (process.getuid?.() === 0) return "/var/lib/rancher-enroll";
  return join(env.XDG_STATE_HOME ?? join(homedir(), ".local", "state"), "rancher-enroll");
}

export class EnrollmentStore {
  readonly file: string;

  constructor(readonly dir: string) {
    this.file = join(dir, "enrollment.json");
  }

  async read(): Promise<Enrollment | undefined> {
    if (!checkStateDirectory(this.dir, false)) return undefined;
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new EnrollError("internal", `cannot read ${this.file}: ${(error as Error).message}`);
    }
    try {
      return JSON.parse(text) as Enrollment;
    } catch {
      throw new EnrollError(
        "usage",
        `${this.file} is not valid JSON`,
        "Remove it; the next `up` rewrites it.",
      );
    }
  }

  /** Atomic and durable: a reader sees the old file or the new one, never half of one, even after power loss. */
  async write(enrollment: Enrollment): Promise<void> {
    checkStateDirectory(this.dir, true);
    try {
      writeFileAtomically(this.file, `${JSON.stringify(enrollment, null, 2)}\n`, 0o600);
    } catch (error) {
      throw new EnrollError(
        "usage",
        `cannot write ${this.file}: ${(error as Error).message}`,
        "Check the state directory's permissions and free space (RANCHER_ENROLL_STATE_DIR selects another).",
      );
    }
  }

  async remove(): Promise<void> {
    await rm(this.file, { force: true });
  }
}
