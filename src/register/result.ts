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
