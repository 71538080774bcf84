import type { HostRecord, Target } from "../rancher/api.js";

export interface ServerInfo {
  url: string;
  version?: string;
}

export interface UpResult {
  kind: "enrolled";
  changed: boolean;
  host: Pick<HostRecord, "id" | "hostname" | "state" | "agentState" | "agentIpAddress" | "labels">;
  environment: Target;
  server: ServerInfo;
  agent: { image: string; imagePulled: boolean };
  registration: { id: string; created: boolean };
  apiRequests: number;
  durationSeconds: number;
}

export interface UpPlan {
  kind: "plan";
  changed: false;
  environment: Target;
  server: ServerInfo;
  registration: { id?: string; wouldCreate: boolean };
  agent: { image?: string; imagePresent?: boolean };
  /** The equivalent `docker run`, when the registration exists to fill it in. */
  command?: string;
  apiRequests: number;
  durationSeconds: number;
}

/** `status` exit codes, besides the error codes shared by every command. */
export const STATUS_EXIT_CODES = { active: 0, notEnrolled: 10, unhealthy: 11 } as const;

export interface StatusResult {
  kind: "status";
  changed: false;
  enrolled: boolean;
  healthy: boolean;
  /** What is wrong, in words, when not healthy. */
  problems: string[];
  agent: { present: boolean; running: boolean; image?: string; startedAt?: string };
  enrollment?: { server: string; environment: Target; hostId?: string; confirmedAt?: string };
  host?: Pick<HostRecord, "id" | "hostname" | "state" | "agentState" | "agentIpAddress"> | null;
  exitCode: number;
}

export interface DownResult {
  kind: "down";
  changed: boolean;
  removedHosts: string[];
  removedContainers: string[];
  purged: string[];
  /** What stays on the server because it could not be reached; the command then exits non-zero. */
  leftOnServer: string[];
  durationSeconds: number;
}

export interface PrepareResult {
  kind: "prepare";
  changed: boolean;
  image?: string;
  imagePulled: boolean;
  removedContainers: string[];
  purged: string[];
}
