import type { AgentState, Member, ServerLine, Target, Words } from "./seam.js";

/**
 * What each flow answers. The target and the member are named in the server line's words in the JSON
 * (`environment` and `host` on 1.6, `cluster` and `node` on 2.x): see `resultJson`.
 */

export interface ServerInfo {
  url: string;
  version?: string;
}

interface LineResult {
  /** How the target and member are called: keys of the JSON, words of the text. */
  words: Words;
}

interface OnLine extends LineResult {
  serverLine: ServerLine;
}

export interface UpResult extends OnLine {
  kind: "enrolled";
  changed: boolean;
  /** In the JSON: its view. */
  member: Member;
  target: Target;
  server: ServerInfo;
  agent: { image?: string; imagePulled: boolean };
  registration: { id: string; created: boolean };
  apiRequests: number;
  durationSeconds: number;
}

export interface UpPlan extends OnLine {
  kind: "plan";
  changed: false;
  target: Target;
  server: ServerInfo;
  /** The member an earlier run enrolled, ready: nothing would change. */
  member?: Member;
  registration?: { id?: string; wouldCreate: boolean };
  agent?: { image?: string; imagePresent?: boolean };
  /** The equivalent command, when the registration exists to fill it in; secrets masked. */
  command?: string;
  apiRequests: number;
  durationSeconds: number;
}

/** `status` exit codes, besides the error codes shared by every command. */
export const STATUS_EXIT_CODES = { active: 0, notEnrolled: 10, unhealthy: 11, unchecked: 12 } as const;

/** What `status` could not check, and why: the error it met, as the JSON of a failure gives one. */
export interface Unchecked {
  what: string;
  kind: string;
  exitCode: number;
  message: string;
  hint?: string;
}

export interface StatusResult extends LineResult {
  kind: "status";
  changed: false;
  enrolled: boolean;
  healthy: boolean;
  /** What is wrong, in words, when not healthy. */
  problems: string[];
  agent: AgentState;
  /** The agent container is gone because the server removed it once the member ran (Rancher 2.x): normal. */
  agentHandedOver?: boolean;
  enrollment?: {
    server: string;
    serverLine: ServerLine;
    target: Target;
    memberId?: string;
    confirmedAt?: string;
  };
  /** The member on the server: null when the server no longer has it, absent when not asked. */
  member?: Member | null;
  /** What could not be checked (the server without settings, refusing them, or not answering). */
  unchecked?: Unchecked;
  exitCode: number;
}

export interface DownResult extends LineResult {
  kind: "down";
  changed: boolean;
  removedMembers: string[];
  removedContainers: string[];
  purged: string[];
  /** With `--force`: what stays on the server, as the server could not be reached or refused. */
  leftOnServer?: string[];
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

export type Result = UpResult | UpPlan | StatusResult | DownResult | PrepareResult;

/** The JSON object a flow prints: its fields, with the target and member under the line's own words. */
export function resultJson(result: Result): object {
  if (!("words" in result)) return result;
  const { words, ...rest } = result;
  const renamed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest))
    renamed[renameKey(key, words)] =
      key === "member" ? ((value as Member | null)?.view ?? null) : renameValue(value, words);
  return renamed;
}

function renameKey(key: string, words: Words): string {
  const capital = (word: string) => word[0]!.toUpperCase() + word.slice(1);
  switch (key) {
    case "target":
      return words.target;
    case "member":
      return words.member;
    case "memberId":
      return `${words.member}Id`;
    case "removedMembers":
      return `removed${capital(words.member)}s`;
    default:
      return key;
  }
}

function renameValue(value: unknown, words: Words): unknown {
  if (!value || typeof value !== "object" || Array.isArray(value)) return value;
  if (!("target" in value) && !("memberId" in value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [renameKey(key, words), inner]));
}
