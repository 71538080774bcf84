// Runs one method of SystemAgent on a scratch machine, as a flow would (before the system-agent driver exists, tests
// build the JoinSpec themselves). Input: JSON {method, join?, options?, timeoutSeconds?} in DRIVE; output: the method's
// answer as JSON on stdout, or {error: {kind, message}}; the agent's log on stderr.
import { SystemAgent } from "../../../src/agents/system-agent.js";
import { Deadline } from "../../../src/deadline.js";
import { asEnrollError } from "../../../src/errors.js";
import type { JoinSpec, NodeOptions } from "../../../src/flows/seam.js";
import { createLogger } from "../../../src/log.js";
import { stateDir } from "../../../src/state/enrollment.js";

interface Drive {
  method: "preflight" | "install" | "inspect" | "stop" | "remove" | "purge" | "describe";
  join?: JoinSpec;
  options?: Omit<NodeOptions, "env">;
  timeoutSeconds?: number;
}

const drive = JSON.parse(process.env.DRIVE ?? "{}") as Drive;
const log = await createLogger({ level: "debug", format: "json" });
const agent = new SystemAgent({ log, stateDir: stateDir(process.env), env: process.env });
const deadline = new Deadline(drive.timeoutSeconds ?? 60);
const options: NodeOptions = { labels: {}, ...drive.options, env: process.env };
const calls: Record<Drive["method"], () => Promise<unknown>> = {
  preflight: () => agent.preflight(),
  install: () => agent.install(drive.join!, options, deadline),
  inspect: () => agent.inspect(),
  stop: () => agent.stop(),
  remove: () => agent.remove(deadline),
  purge: () => agent.purge(),
  describe: () => agent.describe(drive.join!, options),
};
try {
  process.stdout.write(`${JSON.stringify((await calls[drive.method]()) ?? null)}\n`);
} catch (error) {
  const { kind, message, exitCode } = asEnrollError(error);
  process.stdout.write(`${JSON.stringify({ error: { kind, message, exitCode } })}\n`);
}
