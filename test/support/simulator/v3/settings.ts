import type { RenderContext } from "./render.js";
import type { V3World } from "./world.js";

/** Settings anyone may read with GET, without credentials (multiclustermanager routes.go). */
export const PUBLIC_SETTINGS = ["cacerts", "first-login", "ui-banners", "ui-issues", "ui-pl", "ui-brand"];

export function settingValues(world: V3World): Record<string, string> {
  return {
    cacerts: world.config.cacerts,
    "server-version": world.config.version,
    "server-url": world.serverUrl,
    "agent-image": world.config.agentImage,
    "first-login": "false",
    "ui-banners": "{}",
    "ui-issues": "",
    "ui-pl": "rancher",
    "ui-brand": "",
  };
}

export function renderSetting(ctx: RenderContext, name: string, value: string): Record<string, unknown> {
  const self = `${ctx.base}/settings/${name}`;
  return {
    id: name,
    type: "setting",
    baseType: "setting",
    name,
    value,
    default: name === "server-version" || name === "agent-image" ? value : "",
    customized: false,
    source: name === "server-version" ? "default" : "db",
    links: { self },
    actions: {},
  };
}
