/**
 * Standalone simulator: `npm run simulator -- [--line 1.6|v3] [--port N] [--host ADDR] [--public-url URL]
 * [--version V] [--tls-key FILE --tls-cert FILE] [--cacerts FILE] [--installer FILE]`.
 * Prints one JSON line (url and credentials) and runs until SIGINT/SIGTERM. `--public-url` is 1.6's api.host
 * or 2.x's server-url setting.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startSimulator } from "./index.js";
import { startV3Simulator } from "./v3/index.js";

const { values } = parseArgs({
  options: {
    line: { type: "string", default: "1.6" },
    port: { type: "string", default: "0" },
    host: { type: "string" },
    "public-url": { type: "string" },
    version: { type: "string" },
    "tls-key": { type: "string" },
    "tls-cert": { type: "string" },
    cacerts: { type: "string" },
    installer: { type: "string" },
  },
});

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid --port: ${values.port}`);
if (values.line !== "1.6" && values.line !== "v3") fail(`invalid --line: ${values.line} (1.6 or v3)`);
if (Boolean(values["tls-key"]) !== Boolean(values["tls-cert"])) fail("--tls-key and --tls-cert go together");
const tls = values["tls-key"]
  ? { key: readFileSync(values["tls-key"], "utf8"), cert: readFileSync(values["tls-cert"] as string, "utf8") }
  : undefined;
const common = { port, host: values.host, ...(tls ? { tls } : {}) };

const { info, close } = values.line === "v3" ? await startV3() : await startCattle();
console.log(JSON.stringify(info));

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void close().then(() => process.exit(0));
  });
}

async function startCattle() {
  const simulator = await startSimulator({
    ...common,
    publicUrl: values["public-url"],
    ...(values.version ? { version: values.version } : {}),
  });
  const info = {
    url: simulator.url,
    projectId: simulator.defaultProject.id,
    environmentKey: simulator.environmentKey,
    adminKey: simulator.adminKey,
  };
  return { info, close: simulator.close };
}

async function startV3() {
  const simulator = await startV3Simulator({
    ...common,
    ...(values["public-url"] === undefined ? {} : { serverUrl: values["public-url"] }),
    ...(values.version ? { version: values.version } : {}),
    ...(values.cacerts ? { cacerts: readFileSync(values.cacerts, "utf8") } : {}),
    ...(values.installer ? { installerScript: readFileSync(values.installer, "utf8") } : {}),
  });
  const info = {
    url: simulator.url,
    version: simulator.version,
    token: simulator.adminToken.bearer,
    clusters: simulator.clusters().map(({ id, name, kind }) => ({ id, name, kind })),
  };
  return { info, close: simulator.close };
}
