// `npm run testbed -- up`: starts the test bed in the foreground, prints its environment, stops on SIGINT/SIGTERM.
// `npm run testbed -- down`: stops the test bed that `up` started from this checkout.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { testbedEnv } from "./env.js";
import { startTestbed } from "./testbed.js";

const stateDir = fileURLToPath(new URL("../../../.testbed/", import.meta.url));
const pidFile = `${stateDir}testbed.pid`;
const envFile = `${stateDir}testbed.env`;

async function up(): Promise<void> {
  const started = Date.now();
  const testbed = await startTestbed();
  const env = Object.entries(testbedEnv(testbed))
    .map(([name, value]) => `export ${name}='${value}'`)
    .join("\n");
  await mkdir(stateDir, { recursive: true });
  await writeFile(pidFile, `${process.pid}\n`);
  await writeFile(envFile, `${env}\n`);
  console.log(
    `${env}\n# test bed up in ${Date.now() - started} ms; also in ${envFile}. Stop with Ctrl-C or down.`,
  );
  const [signal] = await Promise.race([once(process, "SIGINT"), once(process, "SIGTERM")]);
  console.error(`${String(signal)}: stopping the test bed`);
  await testbed.stop();
  await rm(pidFile, { force: true });
  await rm(envFile, { force: true });
}

async function down(): Promise<void> {
  const pid = Number((await readFile(pidFile, "utf8").catch(() => "")).trim());
  if (!pid) throw new Error(`no test bed is up (no ${pidFile})`);
  if (!isAlive(pid)) {
    await rm(pidFile, { force: true });
    throw new Error(`the test bed of process ${pid} is gone (removed its stale ${pidFile})`);
  }
  process.kill(pid, "SIGTERM");
  while (isAlive(pid)) await sleep(200);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const commands: Record<string, () => Promise<void>> = { up, down };
const command = commands[process.argv[2] ?? ""];
if (!command) {
  console.error("usage: npm run testbed -- up|down");
  process.exit(2);
}
command().catch((error: Error) => {
  console.error(`testbed: ${error.message}`);
  process.exit(1);
});
