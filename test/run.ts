// The test runner: starts the test bed once, hands it to the test files through the environment, runs them
// one file at a time (e2e tests share one engine) and always stops the test bed.
// Usage: npx tsx test/run.ts [test files...]   (default: every test/**/*.test.ts)
// TESTBED=off runs without a test bed: e2e suites skip, or fail under CI=true.
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { TESTBED_UNAVAILABLE, testbedEnv } from "./support/testbed/env.js";
import { startTestbed, type Testbed } from "./support/testbed/testbed.js";

const testDir = fileURLToPath(new URL(".", import.meta.url));
const ci = process.env.CI === "true";

let stopRequested: NodeJS.Signals | undefined;
let testProcess: ReturnType<typeof spawn> | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    stopRequested = signal;
    testProcess?.kill(signal);
  });
}

async function findTestFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".test.ts"))
    .map((entry) => relative(process.cwd(), join(entry.parentPath, entry.name)))
    .sort();
}

async function provideTestbed(): Promise<{ testbed?: Testbed; env: Record<string, string> }> {
  if (process.env.TESTBED === "off") return { env: { [TESTBED_UNAVAILABLE]: "disabled by TESTBED=off" } };
  const started = Date.now();
  try {
    const testbed = await startTestbed();
    console.error(`test bed: ready in ${Date.now() - started} ms (engine ${testbed.dockerHost})`);
    return { testbed, env: testbedEnv(testbed) };
  } catch (error) {
    const reason = (error as Error).message;
    console.error(
      `test bed: could not start: ${reason}\n${ci ? "CI=true: the run fails" : "e2e tests skip"}`,
    );
    return { env: { [TESTBED_UNAVAILABLE]: reason } };
  }
}

function runTests(files: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    testProcess = spawn(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", ...files], {
      stdio: "inherit",
      env: { ...process.env, ...env },
    });
    testProcess.on("error", reject);
    testProcess.on("exit", (code, signal) => resolve(code ?? exitCodeOf(signal ?? "SIGTERM")));
  });
}

const exitCodeOf = (signal: NodeJS.Signals) => 128 + constants.signals[signal];

async function main(): Promise<number> {
  const files = process.argv.length > 2 ? process.argv.slice(2) : await findTestFiles(testDir);
  const { testbed, env } = await provideTestbed();
  try {
    if (stopRequested) return exitCodeOf(stopRequested);
    const code = await runTests(files, env);
    return code === 0 && ci && !testbed ? 1 : code;
  } finally {
    await testbed?.stop().catch((error: Error) => console.error(`test bed: stop failed: ${error.message}`));
  }
}

process.exitCode = await main();
