import { randomUUID } from "node:crypto";
import { validationError } from "./errors.js";
import { parseJsonBody, type Exchange } from "./http.js";
import { registrationToken } from "./ids.js";
import { STANDARD_ACTIONS, newLifecycle, settleLater } from "./lifecycle.js";
import { actionLinks, renderResource, type RenderContext, type ResourceKind } from "./resources.js";
import type { Token } from "./types.js";
import type { World } from "./world.js";

const TOKEN_FILTERS = [
  "accountId",
  "created",
  "description",
  "id",
  "kind",
  "name",
  "removeTime",
  "removed",
  "state",
  "uuid",
] as const;

export const tokenKind: ResourceKind<Token> = {
  actions: STANDARD_ACTIONS,
  list: (world, projectId) => world.store.tokensOf(projectId),
  create: createToken,
  spec: (ctx) => ({
    resourceType: "registrationToken",
    filters: TOKEN_FILTERS,
    createTypes: { registrationToken: `${ctx.base}/registrationtokens` },
    render: (token) => renderToken(ctx, token),
  }),
};

/** Cattle creates the credential asynchronously: `registering` first, token fields only once active. */
function createToken(world: World, projectId: string, ex: Exchange): Token {
  const input = tokenInput(parseJsonBody(ex));
  const token: Token = {
    ...newLifecycle(world.store.ids.id("c"), "registering", true),
    kind: "registrationToken",
    accountId: projectId,
    uuid: randomUUID(),
    ...input,
  };
  world.store.tokens.push(token);
  settleLater(world.scheduler, token, {
    via: "registering",
    to: "active",
    ms: world.config.timings.tokenActivationMs,
    gate: (fn) => world.faults.hold("keepTokensRegistering").whenReleased(fn),
    then: () => Object.assign(token, tokenSecrets(world)),
  });
  return token;
}

/** Create accepts only optional name and description; anything else is ignored. */
function tokenInput(body: unknown): Pick<Token, "name" | "description"> {
  const fields = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  return { name: optionalString(fields, "name"), description: optionalString(fields, "description") };
}

function optionalString(fields: Record<string, unknown>, name: string): string | null {
  const value = fields[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw validationError("InvalidFormat", name);
  return value;
}

function tokenSecrets(
  world: World,
): Required<Pick<Token, "token" | "registrationUrl" | "image" | "command">> {
  const { agentImage: image, caFingerprint } = world.config;
  const token = registrationToken(world.signingKey);
  const registrationUrl = `${world.publicUrl}/v1/scripts/${token}`;
  const options = caFingerprint === undefined ? "" : `-e CA_FINGERPRINT="${caFingerprint}" `;
  const command =
    `sudo docker run --rm --privileged ${options}-v /var/run/docker.sock:/var/run/docker.sock ` +
    `-v /var/lib/rancher:/var/lib/rancher ${image} ${registrationUrl}`;
  return { token, registrationUrl, image, command };
}

function renderToken(ctx: RenderContext, token: Token): Record<string, unknown> {
  const self = `${ctx.base}/registrationtokens/${token.id}`;
  const links: Record<string, string> = { self };
  if (token.registrationUrl) links.registrationUrl = token.registrationUrl;
  return renderResource(
    { id: token.id, type: "registrationToken", baseType: "credential" },
    links,
    actionLinks(self, STANDARD_ACTIONS, token.state),
    token,
  );
}
