import { randomUUID } from "node:crypto";
import { ApiError } from "../errors.js";
import { isoSeconds } from "../lifecycle.js";
import { caChecksum } from "./commands.js";
import { commandsByController } from "./config.js";
import { generatedName, tokenSecret } from "./ids.js";
import type { RegistrationToken } from "./types.js";
import type { V3World } from "./world.js";

/**
 * A cluster registration token as the API create store makes it: the token value at once; on 2.6+ the
 * commands only once the controller has run (a moment later), before that at every read (formatter).
 */
export function createRegistrationToken(world: V3World, clusterId: string, name?: string): RegistrationToken {
  const tokenName = name ?? generatedName("crt-");
  if (world.store.tokensOf(clusterId).some((t) => t.name === tokenName)) {
    throw new ApiError(409, {
      code: "AlreadyExists",
      message: `clusterregistrationtokens.management.cattle.io "${tokenName}" already exists`,
    });
  }
  const byController = commandsByController(world.config.version);
  const token: RegistrationToken = {
    id: `${clusterId}:${tokenName}`,
    name: tokenName,
    clusterId,
    uuid: randomUUID(),
    created: isoSeconds(new Date()),
    token: tokenSecret(),
    commandsReady: !byController,
  };
  world.store.tokens.push(token);
  if (byController) {
    world.scheduler.after(world.config.timings.tokenCommandMs, () =>
      world.faults.hold("keepTokensWithoutCommand").whenReleased(() => writeCommands(world, token)),
    );
  }
  return token;
}

/** A token Rancher made itself long ago (default-token on 2.6+, `system`): its commands are there. */
export function settledRegistrationToken(
  world: V3World,
  clusterId: string,
  name?: string,
): RegistrationToken {
  const token = createRegistrationToken(world, clusterId, name);
  writeCommands(world, token);
  return token;
}

/** The 2.6+ controller's pass, once: the commands, with the checksum of the cacerts setting as it is now. */
function writeCommands(world: V3World, token: RegistrationToken): void {
  if (token.commandsReady && token.writtenCaChecksum !== undefined) return;
  token.commandsReady = true;
  if (commandsByController(world.config.version)) token.writtenCaChecksum = caChecksum(world.config.cacerts);
}
