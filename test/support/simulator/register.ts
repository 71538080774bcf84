import { agentForKey } from "./agents.js";
import { validationError } from "./errors.js";
import { parseJsonBody, type Exchange } from "./http.js";
import { newLifecycle, settleLater } from "./lifecycle.js";
import { renderResource, type RenderContext, type ResourceKind } from "./resources.js";
import type { Register } from "./store.js";
import type { World } from "./world.js";

const REGISTER_FILTERS = ["accountId", "created", "id", "key", "kind", "removed", "state"] as const;

/** The agent side of registration, reachable only with `registrationToken:<token>` credentials. */
export const registerKind: ResourceKind<Register> = {
  actions: {},
  list: (world, projectId) => world.store.registers.filter((r) => r.accountId === projectId),
  create: createRegister,
  spec: (ctx) => ({
    resourceType: "register",
    filters: REGISTER_FILTERS,
    createTypes: { register: `${ctx.base}/register` },
    render: (register) => renderRegister(ctx, register),
  }),
};

/** The same registration key always leads to the same agent, hence the same credentials. */
function createRegister(world: World, projectId: string, ex: Exchange): Register {
  const key = registrationKey(parseJsonBody(ex));
  const agent = agentForKey(world, projectId, key);
  const register: Register = {
    ...newLifecycle(world.store.ids.id("r"), "registering", true),
    kind: "register",
    key,
    accountId: projectId,
    accessKey: agent.accessKey,
    secretKey: agent.secretKey,
  };
  world.store.registers.push(register);
  const ms = world.config.timings.registerActivationMs;
  settleLater(world.scheduler, register, { via: "registering", to: "active", ms });
  return register;
}

function registrationKey(body: unknown): string {
  const key = typeof body === "object" && body !== null ? (body as Record<string, unknown>).key : undefined;
  if (typeof key !== "string" || key === "") throw validationError("MissingRequired", "key");
  return key;
}

/** accessKey/secretKey are shown only when active and asked for with `?key=<the same key>`. */
function renderRegister(ctx: RenderContext, register: Register): Record<string, unknown> {
  const { accessKey: access, secretKey: secret, ...fields } = register;
  const reveal = register.state === "active" && ctx.query.get("key") === register.key;
  return renderResource(
    { id: register.id, type: "register", baseType: "register" },
    { self: `${ctx.base}/register/${register.id}` },
    {},
    reveal ? { ...fields, accessKey: access, secretKey: secret } : fields,
  );
}
