import { createHash, createHmac } from "node:crypto";
import { header, jsonReply, textReply, type Exchange, type Reply } from "../http.js";
import { SYSTEM_AGENT_INSTALL_PATH } from "./commands.js";
import { PUBLIC_SETTINGS, renderSetting, settingValues } from "./settings.js";
import type { V3World } from "./world.js";

/** Endpoints served without credentials: health, version, the CA (two ways) and the public settings. */
export function publicEndpoint(world: V3World, ex: Exchange): Reply | undefined {
  switch (ex.path) {
    case "/ping":
      return textReply(200, "pong");
    case "/healthz":
      return textReply(200, "ok");
    case "/cacerts":
      return cacerts(world, ex);
    case SYSTEM_AGENT_INSTALL_PATH:
      return textReply(200, world.config.installerScript);
    case "/rancherversion":
      return textReply(
        200,
        JSON.stringify({
          Version: world.config.version,
          GitCommit: "0123456789abcdef",
          RancherPrime: "false",
        }),
      );
  }
  const setting = /^\/v3\/settings\/([^/]+)\/?$/.exec(ex.path)?.[1];
  if (ex.method === "GET" && setting !== undefined && PUBLIC_SETTINGS.includes(setting)) {
    const value = settingValues(world)[setting] ?? "";
    return jsonReply(200, renderSetting({ base: `${ex.origin}/v3`, origin: ex.origin }, setting, value));
  }
  return undefined;
}

/**
 * `/cacerts` (cacerts.handler): the PEM ending in a newline, or nothing. With `Authorization: Bearer
 * base64(sha256(<registration token>))` and `X-Cattle-Nonce`, it also proves it knows the token:
 * `X-Cattle-Hash: base64(hmac-sha512(token, nonce \0 body \0))`, which the system-agent installer checks.
 */
function cacerts(world: V3World, ex: Exchange): Reply {
  const ca = world.config.cacerts;
  const body = ca.trim() === "" ? "" : ca.endsWith("\n") ? ca : `${ca}\n`;
  const reply = textReply(200, body);
  reply.headers["Content-Type"] = "text/plain";
  const nonce = header(ex.headers, "x-cattle-nonce") ?? "";
  const hashed = (header(ex.headers, "authorization") ?? "").replace(/^Bearer /, "");
  const token = hashed && nonce ? tokenByHash(world, hashed) : undefined;
  if (token) {
    const digest = createHmac("sha512", token)
      .update(nonce)
      .update("\0")
      .update(body)
      .update("\0")
      .digest("base64");
    reply.headers["X-Cattle-Hash"] = digest;
  }
  return reply;
}

function tokenByHash(world: V3World, hashed: string): string | undefined {
  return world.store.tokens.find((t) => createHash("sha256").update(t.token).digest("base64") === hashed)
    ?.token;
}
