import { EnrollError } from "../errors.js";
import type { Logger } from "../log.js";

/**
 * The 2.x agents pass labels on as one comma-joined list (RKE1's CATTLE_NODE_LABEL, the system agent's
 * X-Cattle-Labels): a comma would split one in two.
 */
export function agentLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const split = Object.entries(labels).find(([key, value]) => `${key}${value}`.includes(","));
  if (split) {
    throw new EnrollError(
      "usage",
      `the label "${split[0]}=${split[1]}" contains a comma, which the 2.x agent reads as a separator`,
      "Leave commas out of node labels.",
    );
  }
  return { ...labels };
}

/** The 2.x agents register --address, else the address they find themselves (the default route's). */
export function announceNodeAddress(log: Logger, address: string | undefined): void {
  log.info(
    address
      ? `the agent will register ${address}`
      : "no address given: the agent registers the address of this machine's default route",
  );
}
