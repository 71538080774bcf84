import { createHash } from "node:crypto";
import { EnrollError } from "../../errors.js";
import type { V3Client } from "./client.js";
import type { JoinSpec } from "../../flows/seam.js";

/**
 * The checksum the agent checks `--ca-checksum` against: SHA-256 of the `cacerts` setting with one trailing
 * newline (the agent reads it through `jq -r`, which adds one; the server appends one when missing).
 */
export function caChecksum(cacerts: string): string {
  return createHash("sha256")
    .update(cacerts.endsWith("\n") ? cacerts : `${cacerts}\n`)
    .digest("hex");
}

/**
 * Before launching: the agent compares the server's CA with the command's `--ca-checksum` at every start and
 * exits on a mismatch, so that its container would crash-loop forever. Refuse instead, with both values.
 */
export async function checkCommandChecksum(
  client: V3Client,
  command: Pick<JoinSpec, "caChecksum">,
): Promise<void> {
  if (!command.caChecksum) return;
  const cacerts = (await client.setting("cacerts")) ?? "";
  if (!cacerts.trim()) {
    throw new EnrollError(
      "server",
      `the node command pins the server's CA (--ca-checksum ${command.caChecksum}), but the server publishes no CA (its cacerts setting is empty): the agent would stop at start`,
      "The server's certificate is now publicly trusted, but the cluster's command predates that. Ask the Rancher administrator to check the cacerts setting.",
    );
  }
  const actual = caChecksum(cacerts);
  if (actual === command.caChecksum) return;
  throw new EnrollError(
    "server",
    `the server's CA checksum is ${actual}, but the node command's --ca-checksum is ${command.caChecksum}: the agent would refuse the server and restart forever`,
    "The server's certificate (its cacerts setting) most likely changed after the cluster's registration command was written. Ask the Rancher administrator to check the cacerts setting, or to make Rancher write the command again.",
  );
}
