import { isoSeconds } from "../lifecycle.js";
import type { Condition, ConditionStatus } from "./types.js";

/** Condition types whose Unknown status names a transition, and False an error (wrangler's summarizer). */
const TRANSITIONING_UNKNOWN: Record<string, string> = {
  Initialized: "initializing",
  Provisioned: "provisioning",
  Registered: "registering",
  Removed: "removing",
  Drained: "draining",
  Updated: "updating",
  Waiting: "waiting",
};

export interface Summary {
  state: string;
  transitioning: "yes" | "no" | "error";
  transitioningMessage: string;
}

/**
 * The state Rancher shows for an object with these conditions (wrangler summary.checkTransitioning):
 * the first Unknown transition wins, a False one is an error in that state; then Ready False is
 * `unavailable` and Ready Unknown an `unavailable` error; otherwise (even with no conditions) `active`.
 */
export function summarize(conditions: readonly Condition[]): Summary {
  let state = "";
  let error = false;
  const messages: string[] = [];
  for (const c of conditions) {
    const word = TRANSITIONING_UNKNOWN[c.type];
    if (word === undefined) continue;
    if (c.status === "False") {
      [state, error] = [word, true];
      messages.push(c.message ?? "");
    } else if (c.status === "Unknown" && state === "") {
      state = word;
      messages.push(c.message ?? "");
    }
  }
  const ready = conditions.find((c) => c.type === "Ready");
  if (state === "" && ready && ready.status !== "True") {
    [state, error] = ["unavailable", ready.status === "Unknown"];
    messages.push(ready.message ?? "");
  }
  if (state === "") return { state: "active", transitioning: "no", transitioningMessage: "" };
  return {
    state,
    transitioning: error ? "error" : "yes",
    transitioningMessage: messages.filter(Boolean).join("; "),
  };
}

/** Sets (or adds, at the end, as Kubernetes condition helpers do) the condition of this type. */
export function setCondition(
  conditions: Condition[],
  type: string,
  status: ConditionStatus,
  detail: { message?: string; reason?: string } = {},
): void {
  const next: Condition = { type, status, ...detail, lastUpdateTime: isoSeconds(new Date()) };
  const index = conditions.findIndex((c) => c.type === type);
  if (index < 0) conditions.push(next);
  else conditions[index] = next;
}

export function conditionStatus(conditions: readonly Condition[], type: string): ConditionStatus | undefined {
  return conditions.find((c) => c.type === type)?.status;
}
