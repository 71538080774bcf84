import type { TestbedInfo } from "./testbed.js";

/** The variables through which the test runner hands the test bed to test files. */
export const TESTBED_VARIABLES = {
  dockerHost: "TESTBED_DOCKER_HOST",
  bridgeIp: "TESTBED_BRIDGE_IP",
  rancherDir: "TESTBED_RANCHER_DIR",
  registry: "TESTBED_REGISTRY",
  agentImage: "TESTBED_AGENT_IMAGE",
  registryAgentImage: "TESTBED_REGISTRY_AGENT_IMAGE",
  rancher2AgentImage: "TESTBED_RANCHER2_AGENT_IMAGE",
  registryRancher2AgentImage: "TESTBED_REGISTRY_RANCHER2_AGENT_IMAGE",
} as const satisfies Record<keyof TestbedInfo, string>;

/** Set instead of the others when the test bed could not start: the reason. */
export const TESTBED_UNAVAILABLE = "TESTBED_UNAVAILABLE";

const variables = Object.entries(TESTBED_VARIABLES) as Array<[keyof TestbedInfo, string]>;

/** The environment that hands `testbed` to test files; DOCKER_HOST too, so that Docker clients use its engine. */
export function testbedEnv(testbed: TestbedInfo): Record<string, string> {
  const env: Record<string, string> = { DOCKER_HOST: testbed.dockerHost };
  for (const [field, variable] of variables) env[variable] = testbed[field];
  return env;
}

export type TestbedLookup = { testbed: TestbedInfo } | { unavailable: string };

export function testbedFromEnv(env: NodeJS.ProcessEnv = process.env): TestbedLookup {
  const reason = env[TESTBED_UNAVAILABLE];
  if (reason) return { unavailable: reason };
  const testbed: Partial<TestbedInfo> = {};
  const missing: string[] = [];
  for (const [field, variable] of variables) {
    const value = env[variable] || (field === "dockerHost" ? env.DOCKER_HOST : undefined);
    if (value) testbed[field] = value;
    else missing.push(variable);
  }
  if (missing.length > 0) {
    return {
      unavailable:
        `no test bed (${missing.join(", ")} not set): run the tests with \`npx tsx test/run.ts\`, ` +
        "or start one with `npm run testbed -- up` and export the variables it prints",
    };
  }
  return { testbed: testbed as TestbedInfo };
}

export interface E2eTestbed {
  /** For `describe(name, { skip }, ...)`: the reason to skip, or false. */
  skip: string | false;
  /** The test bed; throws the reason it is unavailable. */
  testbed(): TestbedInfo;
}

/**
 * For e2e suites. Without a test bed they are skipped with the reason, except under CI=true: there the
 * suite runs and fails with the reason, since a CI run must not pass without its end-to-end tests.
 */
export function e2eTestbed(env: NodeJS.ProcessEnv = process.env): E2eTestbed {
  const lookup = testbedFromEnv(env);
  if ("testbed" in lookup) return { skip: false, testbed: () => lookup.testbed };
  const reason = `test bed unavailable: ${lookup.unavailable}`;
  return {
    skip: env.CI === "true" ? false : reason,
    testbed: () => {
      throw new Error(reason);
    },
  };
}
