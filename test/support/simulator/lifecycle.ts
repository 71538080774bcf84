import { validationError } from "./errors.js";
import type { Scheduler } from "./scheduler.js";
import type { Lifecycle } from "./types.js";

/** Cattle renders dates as ISO-8601 without milliseconds. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Lifecycle fields of a resource created now, either settled in `state` or transitioning into it. */
export function newLifecycle(id: string, state: string, transitioning: boolean): Lifecycle {
  const now = new Date();
  const resource: Lifecycle = {
    id,
    state,
    transitioning: "no",
    transitioningMessage: null,
    transitioningProgress: null,
    created: isoSeconds(now),
    createdTS: now.getTime(),
    removed: null,
    removeTime: null,
  };
  if (transitioning) beginTransition(resource, state);
  else settle(resource, state);
  return resource;
}

export function beginTransition(resource: Lifecycle, state: string): void {
  resource.state = state;
  resource.transitioning = "yes";
  resource.transitioningMessage = "In Progress";
}

export function settle(resource: Lifecycle, state: string): void {
  resource.state = state;
  resource.transitioning = "no";
  resource.transitioningMessage = null;
  if ((state === "removed" || state === "purged") && resource.removed === null) {
    resource.removed = isoSeconds(new Date());
    resource.removeTime = resource.removed;
  }
}

export interface Settlement {
  via: string;
  to: string;
  ms: number;
  /** Defers settling, e.g. while a fault switch holds the resource back. */
  gate?: (fn: () => void) => void;
  then?: () => void;
}

/** Settles `resource` from `via` into `to` later, unless something else changed its state meanwhile. */
export function settleLater(scheduler: Scheduler, resource: Lifecycle, settlement: Settlement): void {
  const { via, to, ms, gate = (fn) => fn(), then } = settlement;
  scheduler.after(ms, () =>
    gate(() => {
      if (resource.state !== via) return;
      settle(resource, to);
      then?.();
    }),
  );
}

/** An API action: allowed from `from`, runs through transitional state `via`, settles in `to`. */
export interface ActionRule {
  from: readonly string[];
  via: string;
  to: string;
}

export type ActionTable = Readonly<Record<string, ActionRule>>;

/** Cattle's generic activate/deactivate/remove/purge processes shared by hosts and credentials. */
export const STANDARD_ACTIONS: ActionTable = {
  activate: { from: ["inactive"], via: "activating", to: "active" },
  deactivate: { from: ["active"], via: "deactivating", to: "inactive" },
  remove: {
    from: ["requested", "registering", "inactive", "error", "erroring"],
    via: "removing",
    to: "removed",
  },
  purge: { from: ["removed"], via: "purging", to: "purged" },
};

export function availableActions(table: ActionTable, state: string): string[] {
  return Object.entries(table)
    .filter(([, rule]) => rule.from.includes(state))
    .map(([name]) => name);
}

export function runAction(
  scheduler: Scheduler,
  table: ActionTable,
  resource: Lifecycle,
  name: string,
  ms: number,
): void {
  const rule = table[name];
  if (!rule) throw validationError("InvalidAction", "action");
  if (!rule.from.includes(resource.state)) throw validationError("ActionNotAvailable", "action");
  beginTransition(resource, rule.via);
  settleLater(scheduler, resource, { via: rule.via, to: rule.to, ms });
}
