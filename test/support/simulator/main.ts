/**
 * Standalone simulator: `npm run simulator -- [--port N] [--host ADDR] [--public-url URL]`.
 * Prints one JSON line (url and default keys) and runs until SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util";
import { startSimulator } from "./index.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    host: { type: "string" },
    "public-url": { type: "string" },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid --port: ${values.port}`);
  process.exit(2);
}

const simulator = await startSimulator({
  port,
  host: values.host,
  publicUrl: values["public-url"],
});

console.log(
  JSON.stringify({
    url: simulator.url,
    projectId: simulator.defaultProject.id,
    environmentKey: simulator.environmentKey,
    adminKey: simulator.adminKey,
  }),
);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void simulator.close().then(() => process.exit(0));
  });
}
