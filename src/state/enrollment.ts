import { readFile, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { EnrollError } from "../errors.js";
import { writeFileAtomically } from "../local-files.js";
import type { ServerLine } from "../flows/seam.js";
import { object, oneOf, optional, string, type Infer } from "../schema.js";
import { checkStateDirectory } from "./directory.js";

/** The format written now; files without a version were written by 0.1, for Rancher 1.6 only. */
export const ENROLLMENT_VERSION = 2;

const target = object({ id: string, name: string });

/** What the tool knows about this machine's enrollment. The member's identity itself stays in the agent's state. */
const enrollmentV2 = object({
  version: oneOf(ENROLLMENT_VERSION),
  /** Which server line the machine is enrolled with, so that `status` and `down` use its driver and agent. */
  serverLine: oneOf<ServerLine>("cattle", "v3", "system-agent"),
  server: string,
  /** The profile `up` was given (`--profile`, RANCHER_PROFILE): `status` and `down` default to it. Never a secret. */
  profile: optional(string),
  /** The environment (1.6) or cluster (2.x). */
  target,
  /** The registration token's id. */
  joinId: string,
  agentImage: optional(string),
  /** When the agent was last launched: members created since then came from that launch. */
  launchedAt: string,
  /** Set once the member (host or node) was confirmed. */
  memberId: optional(string),
  /** What outlives member records on the server (1.6: the host's agent). */
  identity: optional(string),
  memberName: optional(string),
  confirmedAt: optional(string),
});
export type Enrollment = Infer<typeof enrollmentV2>;

/** As 0.1 wrote it (Rancher 1.6 only). */
const enrollmentV1 = object({
  server: string,
  environment: target,
  agentImage: string,
  registrationId: string,
  launchedAt: string,
  hostId: optional(string),
  agentId: optional(string),
  hostname: optional(string),
  confirmedAt: optional(string),
});
type EnrollmentV1 = Infer<typeof enrollmentV1>;

/** The record as stored, of either version, checked; a file 0.1 wrote has no version. */
function parseEnrollment(text: string): Enrollment {
  const stored = JSON.parse(text) as unknown;
  const versioned = typeof stored === "object" && stored !== null && "version" in stored;
  return versioned ? enrollmentV2(stored, "") : upgradeEnrollment(enrollmentV1(stored, ""));
}

/** A file 0.1 wrote still reads: it was a Rancher 1.6 enrollment. */
function upgradeEnrollment(stored: EnrollmentV1): Enrollment {
  const { server, environment, agentImage, registrationId, launchedAt } = stored;
  return {
    version: ENROLLMENT_VERSION,
    serverLine: "cattle",
    server,
    target: environment,
    joinId: registrationId,
    agentImage,
    launchedAt,
    ...(stored.hostId ? { memberId: stored.hostId } : {}),
    ...(stored.agentId ? { identity: stored.agentId } : {}),
    ...(stored.hostname ? { memberName: stored.hostname } : {}),
    ...(stored.confirmedAt ? { confirmedAt: stored.confirmedAt } : {}),
  };
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
      return parseEnrollment(text);
    } catch (error) {
      throw new CorruptEnrollment(this.file, error);
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

/** The enrollment record cannot be read as one: said as such, with what to do, never as an unexpected failure. */
export class CorruptEnrollment extends EnrollError {
  constructor(file: string, error: unknown) {
    const what =
      error instanceof SyntaxError ? `it is not JSON (${error.message})` : `${(error as Error).message}`;
    super(
      "usage",
      `the enrollment record ${file} is damaged: ${what}`,
      `Look at it first (a full disk or a hand edit?). \`rancher-enroll down --force\` then removes this machine's ` +
        `agent and the record (its member stays on the server, for the Rancher UI); or remove ${file} alone to ` +
        "keep the agent, and run `up` to record the enrollment again.",
      { cause: error },
    );
  }
}
