import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, describe, test } from "node:test";
import type { Origin } from "../../src/config/resolve.js";
import { flagAttribute, SETTING_NAMES, SETTINGS, type SettingName } from "../../src/config/setting-table.js";
import { SettingsError } from "../../src/config/resolve.js";
import {
  effectiveSettings,
  resolveServerSettings,
  resolveUpSettings,
  wantedTarget,
  type UpFlags,
} from "../../src/config/settings.js";
import { EnrollError } from "../../src/errors.js";
import { TestCertificates } from "../support/certificates.js";
import { profileFixture, removeProfileFixtures } from "./config-fixtures.js";

after(removeProfileFixtures);
const certificates = new TestCertificates();
after(() => certificates.remove());
/** CA certificate files, one for each source of a setting. */
const [flagCa, envCa, profileCa] = ["flag CA", "env CA", "profile CA"].map(
  (name) => certificates.authority(name).certFile,
) as [string, string, string];

/** No profile files at all: the variables point into an empty directory. */
const noProfiles = profileFixture().env;
const env = {
  ...noProfiles,
  RANCHER_URL: "http://srv:8080/v2-beta",
  RANCHER_ACCESS_KEY: "AK",
  RANCHER_SECRET_KEY: "SK",
};
const quiet = () => undefined;

const usageError = (message: RegExp) => (error: unknown) =>
  error instanceof EnrollError && error.kind === "usage" && message.test(error.message);

describe("settings without profiles", () => {
  test("flags win over the environment variables of Rancher's CLI", () => {
    const settings = resolveUpSettings(
      { url: "http://other:9000", accessKey: "FLAGAK" },
      { ...env, RANCHER_ENVIRONMENT: "Prod" },
      quiet,
    );
    assert.equal(settings.server.url, "http://other:9000");
    assert.deepEqual(settings.server.credentials, { accessKey: "FLAGAK", secretKey: "SK" });
    assert.equal(settings.server.credentialsFrom, "--access-key and RANCHER_SECRET_KEY");
    assert.equal(settings.environment, "Prod");
    assert.equal(settings.timeoutSeconds, 600);
    assert.deepEqual(settings.labels, {});
  });

  test("the 2.x settings: a token (Bearer) and the cluster, under the word the user chose", () => {
    const warnings: string[] = [];
    const settings = resolveUpSettings(
      { cluster: "dev-rke1" },
      { ...noProfiles, RANCHER_URL: "https://r/v3", RANCHER_TOKEN: "token-ab12c:s3cr3t" },
      (message) => warnings.push(message),
    );
    assert.deepEqual(settings.server.credentials, { token: "token-ab12c:s3cr3t" });
    assert.equal(settings.server.credentialsFrom, "RANCHER_TOKEN");
    assert.deepEqual(wantedTarget(settings), { nameOrId: "dev-rke1", word: "cluster", from: "--cluster" });
    assert.equal(warnings.length, 0);
    assert.deepEqual(wantedTarget(resolveUpSettings({}, env, quiet)), undefined);
    const fromFlag = resolveUpSettings({ token: "token-x:y" }, env, (message) => warnings.push(message));
    assert.deepEqual(
      fromFlag.server.credentials,
      { token: "token-x:y" },
      "a flag beats the variables' key pair",
    );
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]!, /--token leaves the secret in shell history/);
    assert.match(
      warnings[1]!,
      /both an API token and an access key pair are set: using the token \(--token\)/,
    );
    assert.throws(
      () => resolveUpSettings({ token: "no-colon" }, env, quiet),
      usageError(/API token, its access/),
    );
    const pinned = "a".repeat(64);
    assert.equal(resolveServerSettings({ caChecksum: pinned }, env, quiet).caChecksum, pinned);
    assert.throws(
      () => resolveServerSettings({ caChecksum: pinned, insecure: true }, env, quiet),
      usageError(/--ca-checksum pins the server's CA, and --insecure turns verification off/),
    );
    assert.throws(
      () => resolveUpSettings({ cluster: "c-1" }, { ...env, RANCHER_ENVIRONMENT: "Default" }, quiet),
      usageError(/both an environment \(Rancher 1\.6\) and a cluster/),
    );
  });

  test("a secret key given as a flag is accepted with a warning", () => {
    const warnings: string[] = [];
    resolveUpSettings({ secretKey: "FLAGSK" }, env, (message) => warnings.push(message));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /shell history/);
    assert.doesNotMatch(warnings[0]!, /FLAGSK/);
  });

  test("bad input is a usage error naming the setting", () => {
    const cases: [object, Record<string, string>, RegExp][] = [
      [{}, noProfiles, /server URL is not set/],
      [{}, { ...noProfiles, RANCHER_URL: "http://srv" }, /API credentials are not set/],
      [{}, { ...noProfiles, RANCHER_URL: "http://srv", RANCHER_ACCESS_KEY: "a" }, /secret key is not set/],
      [{ environment: " " }, env, /environment is empty/],
      [{ timeout: "ten" }, env, /--timeout must be a positive number/],
      [{ timeout: "0" }, env, /--timeout must be a positive number/],
      // Node's timers overflow past 2^31-1 ms: the wait would end at once ("gave up after Infinity s").
      [{ timeout: "2147483" }, env, /--timeout must be at most 2000000 seconds/],
      [{ timeout: "9".repeat(400) }, env, /--timeout must be at most/],
      [{ label: ["novalue"] }, env, /invalid label "novalue": it has no '='/],
      [{ label: ["bad key=x"] }, env, /invalid label "bad key=x"/],
      [{ label: ["a=1", "a=2"] }, env, /given twice/],
      [{ agentIp: "10.0.0" }, env, /not a dotted IPv4/],
      [{ agentIp: "127.0.0.5" }, env, /loopback/],
      [{ agentIp: "0.0.0.0" }, env, /not a host address/],
      [{ agentIp: "255.255.255.255" }, env, /not a host address/],
      [{ profile: "a b" }, env, /invalid profile name "a b"/],
      [
        { caCert: "/nonexistent/ca.pem" },
        env,
        /^--ca-cert: cannot read the CA certificate file \/nonexistent\/ca.pem: ENOENT/,
      ],
      [{ caCert: certificates.file("not-pem", "hello") }, env, /not-pem holds no PEM certificate/],
      [{}, { ...env, RANCHER_INSECURE: "maybe" }, /^RANCHER_INSECURE must be true or false, got "maybe"/],
    ];
    for (const [flags, environment, message] of cases) {
      assert.throws(() => resolveUpSettings(flags, environment, quiet), usageError(message), String(message));
    }
  });

  test("labels keep their values verbatim, '=', '&' and '%' included", () => {
    const settings = resolveUpSettings(
      { label: ["role=web", "io.example/tier=a=b c", "q=x&y%z"] },
      env,
      quiet,
    );
    assert.deepEqual(settings.labels, { role: "web", "io.example/tier": "a=b c", q: "x&y%z" });
  });

  test("a missing setting names every place it could come from", () => {
    assert.throws(
      () =>
        resolveServerSettings(
          {},
          { ...noProfiles, RANCHER_URL: "http://srv", RANCHER_SECRET_KEY: "s" },
          quiet,
        ),
      (error: unknown) =>
        error instanceof EnrollError &&
        error.message === "the API access key is not set" &&
        error.hint ===
          `Pass --access-key, set RANCHER_ACCESS_KEY or set access_key in profile "default" of ` +
            `${noProfiles.RANCHER_ENROLL_CREDENTIALS_FILE} (\`rancher-enroll configure\` writes profiles).`,
    );
  });

  test("no credentials at all: the message names the token and the key pair", () => {
    assert.throws(
      () => resolveServerSettings({}, { ...noProfiles, RANCHER_URL: "http://srv" }, quiet),
      (error: unknown) =>
        error instanceof EnrollError &&
        error.message === "the API credentials are not set" &&
        /RANCHER_TOKEN .*RANCHER_ACCESS_KEY and RANCHER_SECRET_KEY/.test(error.hint ?? ""),
    );
  });
});

describe("precedence: flags, then environment variables, then the profile, then defaults", () => {
  /** Three valid texts per setting: for the flag, the variable and the profile. Adding a setting needs its own. */
  const SAMPLES: Record<SettingName, [string, string, string]> = {
    url: ["http://flag:1", "http://env:2", "http://profile:3"],
    token: ["flag-token:s1", "env-token:s2", "profile-token:s3"],
    cluster: ["FlagCluster", "EnvCluster", "ProfileCluster"],
    accessKey: ["flag-access", "env-access", "profile-access"],
    secretKey: ["flag-secret", "env-secret", "profile-secret"],
    caCert: [flagCa, envCa, profileCa],
    insecure: ["true", "yes", "1"],
    environment: ["FlagEnv", "EnvEnv", "ProfileEnv"],
    labels: ["a=flag", "a=env", "a=profile"],
    agentIp: ["10.0.0.1", "10.0.0.2", "10.0.0.3"],
    timeout: ["11", "22", "33"],
    waitForDocker: ["0", "5", "7.5"],
    agentInterface: ["eth0", "ens3", "bond0.12"],
    roles: ["etcd", "controlplane,worker", "worker"],
    nodeName: ["flag-node", "env-node", "profile-node"],
    address: ["10.0.0.1", "10.0.0.2", "fd00::3"],
    internalAddress: ["10.0.1.1", "10.0.1.2", "10.0.1.3"],
    taints: ["a=flag:NoSchedule", "a=env:NoExecute", "a:PreferNoSchedule"],
    waitFor: ["registered", "active", "registered"],
    caChecksum: ["a".repeat(64), "b".repeat(64), "C".repeat(64)],
  };
  const setting = (name: SettingName) =>
    SETTINGS[name] as { flag: string; env?: string; key: string; credential?: string };
  const attribute = (name: SettingName) => flagAttribute(setting(name).flag);

  /** A profile "p" setting every setting to its profile sample, except those left out. */
  function profileFiles(leaveOut: SettingName[] = []) {
    const lines = (credential: boolean) =>
      SETTING_NAMES.filter(
        (name) => Boolean(setting(name).credential) === credential && !leaveOut.includes(name),
      ).map((name) => `${setting(name).key} = ${SAMPLES[name][2]}`);
    return profileFixture({
      config: ["[profile p]", ...lines(false)].join("\n"),
      credentials: ["[p]", ...lines(true)].join("\n"),
    });
  }

  function originOf(
    name: SettingName,
    flags: object,
    environment: Record<string, string>,
  ): Origin | undefined {
    const report = effectiveSettings([name], { profile: "p", ...flags }, environment, quiet);
    return report.settings[0]?.origin;
  }

  for (const name of SETTING_NAMES) {
    test(name, () => {
      const { env: files } = profileFiles();
      const item = setting(name);
      const [flagText, envText] = SAMPLES[name];
      const flags = { [attribute(name)]: name === "labels" ? [flagText] : flagText };
      const variables = item.env ? { ...files, [item.env]: envText } : files;

      assert.deepEqual(originOf(name, flags, variables), { source: "flag", flag: item.flag });
      if (item.env) assert.deepEqual(originOf(name, {}, variables), { source: "env", variable: item.env });
      assert.deepEqual(originOf(name, {}, files), {
        source: "profile",
        profile: "p",
        key: item.key,
        path: item.credential ? files.RANCHER_ENROLL_CREDENTIALS_FILE : files.RANCHER_ENROLL_CONFIG_FILE,
        line:
          SETTING_NAMES.filter(
            (other) => Boolean(setting(other).credential) === Boolean(item.credential),
          ).indexOf(name) + 2,
      });
      const fallback = effectiveSettings([name], {}, profileFixture().env, quiet).settings[0];
      assert.deepEqual(fallback?.origin, "fallback" in item ? { source: "default" } : undefined);
    });
  }

  test("the values themselves follow the same order", () => {
    // An agent IP and an agent interface together are refused: the profile keeps the IP; likewise an
    // environment and a cluster (it keeps the environment), a CA checksum and a CA file. The profile's token wins
    // over its key pair.
    const { env: files } = profileFiles(["agentInterface", "cluster", "caChecksum"]);
    const fromProfile = resolveUpSettings({ profile: "p" }, files, quiet);
    assert.deepEqual(fromProfile, {
      server: {
        url: "http://profile:3",
        credentials: { token: "profile-token:s3" },
        credentialsFrom: `profile "p", ${files.RANCHER_ENROLL_CREDENTIALS_FILE} line 4`,
        caCert: { path: profileCa, pem: readFileSync(profileCa, "utf8"), subject: "CN=profile CA" },
        insecure: true,
      },
      environment: "ProfileEnv",
      labels: { a: "profile" },
      agentIp: "10.0.0.3",
      node: {
        roles: ["worker"],
        nodeName: "profile-node",
        address: "fd00::3",
        internalAddress: "10.0.1.3",
        taints: ["a:PreferNoSchedule"],
        waitFor: "registered",
      },
      nodeFlagsGiven: ["--role", "--node-name", "--address", "--internal-address", "--taint", "--wait-for"],
      timeoutSeconds: 33,
      waitForDockerSeconds: 7.5,
      dryRun: false,
      profile: "p",
      targetFrom: `profile "p", ${files.RANCHER_ENROLL_CONFIG_FILE} line 5`,
    });
    const mixed = resolveUpSettings(
      { profile: "p", timeout: "11", label: ["b=flag"] },
      { ...files, RANCHER_URL: "http://env:2/v2-beta/projects/1a7" },
      quiet,
    );
    assert.equal(mixed.server.url, "http://env:2");
    assert.equal(mixed.server.projectHint, "1a7");
    assert.deepEqual(mixed.server.credentials, { token: "profile-token:s3" });
    assert.equal(mixed.timeoutSeconds, 11);
    assert.deepEqual(mixed.labels, { b: "flag" }, "flag labels replace the profile's");
  });

  test("an empty environment variable counts as unset", () => {
    const { env: files } = profileFiles(["caChecksum"]);
    const settings = resolveServerSettings({ profile: "p" }, { ...files, RANCHER_URL: "" }, quiet);
    assert.equal(settings.url, "http://profile:3");
  });
});

describe("choosing the profile", () => {
  const fixture = profileFixture({
    config:
      "[default]\nurl = http://default:1\n\n[profile prod]\nurl = http://prod:2\n[staging]\nurl = http://staging:3\n",
    credentials: "[default]\naccess_key = d\nsecret_key = d\n[prod]\naccess_key = p\nsecret_key = p\n",
  });
  const url = (flags: object, variables: Record<string, string> = {}) =>
    resolveServerSettings(flags, { ...fixture.env, ...variables }, quiet).url;

  test("default without a choice, RANCHER_PROFILE, then --profile over RANCHER_PROFILE", () => {
    assert.equal(url({}), "http://default:1");
    assert.equal(url({}, { RANCHER_PROFILE: "prod" }), "http://prod:2");
    assert.equal(url({ profile: "prod" }, { RANCHER_PROFILE: "staging" }), "http://prod:2");
    assert.deepEqual(
      resolveServerSettings({ profile: "prod" }, fixture.env, quiet).credentials,
      { accessKey: "p", secretKey: "p" },
      "config and credentials sections of one profile combine",
    );
  });

  test("the config file's sections may be [NAME] or [profile NAME]", () => {
    assert.equal(
      effectiveSettings(["url"], { profile: "staging" }, fixture.env, quiet).settings[0]?.value,
      "http://staging:3",
    );
  });

  test("an unknown profile is an error listing the known ones", () => {
    for (const [flags, variables, by] of [
      [{ profile: "nope" }, {}, "--profile"],
      [{}, { RANCHER_PROFILE: "nope" }, "RANCHER_PROFILE"],
    ] as const) {
      assert.throws(
        () => resolveServerSettings(flags, { ...fixture.env, ...variables }, quiet),
        usageError(
          new RegExp(
            `^profile "nope" \\(from ${by}\\) is not in .*; known profiles: default, prod, staging$`,
          ),
        ),
      );
    }
  });

  test("the default profile need not exist", () => {
    const settings = resolveServerSettings({}, env, quiet);
    assert.equal(settings.url, "http://srv:8080");
  });

  test("a variable overriding a chosen profile's value is warned about, without values", () => {
    const warnings: string[] = [];
    const settings = resolveServerSettings(
      { profile: "prod" },
      { ...fixture.env, RANCHER_URL: "http://elsewhere:9" },
      (message) => warnings.push(message),
    );
    assert.equal(settings.url, "http://elsewhere:9");
    assert.deepEqual(warnings, ['RANCHER_URL overrides url of profile "prod" (chosen by --profile)']);
  });

  test("status and down: the enrollment record's profile and server, unless flags or variables say otherwise", () => {
    const record = { server: "http://recorded:4", profile: "prod", path: "/state/enrollment.json" };
    const withRecord = (flags: object, variables: Record<string, string> = {}) =>
      resolveServerSettings(flags, { ...fixture.env, ...variables }, quiet, record);
    assert.equal(withRecord({}).url, "http://prod:2", "the recorded profile's URL");
    assert.deepEqual(withRecord({}).credentials, { accessKey: "p", secretKey: "p" }, "and its keys");
    assert.equal(
      withRecord({}, { RANCHER_PROFILE: "staging", RANCHER_TOKEN: "token-a:b" }).url,
      "http://staging:3",
    );
    assert.equal(withRecord({ profile: "default" }).url, "http://default:1");
    const { env: keysOnly } = profileFixture({ credentials: "[default]\naccess_key = k\nsecret_key = s\n" });
    const noUrl = resolveServerSettings({}, keysOnly, quiet, { ...record, profile: undefined });
    assert.equal(noUrl.url, "http://recorded:4", "no URL anywhere else: the recorded server");
    assert.throws(
      () => resolveServerSettings({}, fixture.env, quiet, { ...record, profile: "gone" }),
      usageError(/^profile "gone" \(from the enrollment record \/state\/enrollment.json\) is not in /),
    );
  });

  test("up records the profile it was told to use, and none by default", () => {
    assert.equal(resolveUpSettings({ profile: "prod" }, fixture.env, quiet).profile, "prod");
    assert.equal(resolveUpSettings({}, { ...fixture.env, RANCHER_PROFILE: "prod" }, quiet).profile, "prod");
    assert.equal(resolveUpSettings({}, fixture.env, quiet).profile, undefined);
  });

  test("a bad value in a profile names the file and line", () => {
    const { env: files, config } = profileFixture({ config: "[default]\n\ntimeout = soon\n" });
    assert.throws(
      () => resolveUpSettings({}, { ...env, ...files }, quiet),
      usageError(
        new RegExp(
          `^timeout must be a positive number of seconds, got "soon" \\(from profile "default", ${config} line 3\\)$`,
        ),
      ),
    );
  });
});

describe("the credentials file", () => {
  const credentials = "[default]\naccess_key = AK-FROM-FILE\nsecret_key = SK-FROM-FILE\n";

  test("is refused when group or others may read it, naming the file and the fix", () => {
    const fixture = profileFixture({ credentials }, 0o640);
    assert.throws(
      () => resolveServerSettings({}, { ...fixture.env, RANCHER_URL: "http://srv" }, quiet),
      (error: unknown) =>
        error instanceof EnrollError &&
        error.kind === "usage" &&
        error.message ===
          `the credentials file ${fixture.credentials} is accessible by group or others (mode 0640); refusing to use it` &&
        error.hint!.includes(`chmod 600 ${fixture.credentials}`),
    );
  });

  test("is not read when flags or variables give the keys", () => {
    const fixture = profileFixture({ credentials }, 0o644);
    const settings = resolveServerSettings({}, { ...env, ...fixture.env }, quiet);
    assert.deepEqual(settings.credentials, { accessKey: "AK", secretKey: "SK" });
  });

  test("effective settings mask the keys and say where each came from", () => {
    const fixture = profileFixture({
      credentials: "[default]\naccess_key = ABCDEFGHIJKL\nsecret_key = s3cr3t-value\n",
    });
    const report = effectiveSettings(
      ["url", "accessKey", "secretKey", "timeout"],
      {},
      { ...fixture.env, RANCHER_URL: "http://srv:8080/v2-beta/projects/1a5" },
      quiet,
    );
    assert.deepEqual(report.profile, { name: "default" });
    assert.deepEqual(report.settings, [
      {
        key: "url",
        value: "http://srv:8080 (environment 1a5)",
        origin: { source: "env", variable: "RANCHER_URL" },
      },
      {
        key: "access_key",
        value: "****IJKL",
        origin: {
          source: "profile",
          profile: "default",
          key: "access_key",
          path: fixture.credentials,
          line: 2,
        },
      },
      {
        key: "secret_key",
        value: "****",
        origin: {
          source: "profile",
          profile: "default",
          key: "secret_key",
          path: fixture.credentials,
          line: 3,
        },
      },
      { key: "timeout", value: "600", origin: { source: "default" } },
    ]);
    assert.ok(!JSON.stringify(report).includes("s3cr3t"));
  });
});

describe("every problem at once, and every setting's absent case", () => {
  const none = profileFixture().env;

  test("up --timeout abc without a URL or keys: all three in one error, one per line", () => {
    assert.throws(
      () => resolveUpSettings({ timeout: "abc" }, none, quiet),
      (error: unknown) => {
        assert.ok(error instanceof SettingsError);
        assert.equal(error.exitCode, 2);
        assert.deepEqual(
          error.problems.map((problem) => problem.message),
          [
            "the Rancher server URL is not set",
            '--timeout must be a positive number of seconds, got "abc"',
            "the API credentials are not set",
          ],
        );
        assert.match(
          error.message,
          /^3 problems with the settings:\n- the Rancher server URL is not set\n {2}Pass --url/,
        );
        assert.equal(error.onlyMissing, false);
        return true;
      },
    );
  });

  test("a broken profile file is one problem, though every setting reads it", () => {
    const { env: broken } = profileFixture({ config: "[default]\nurl = http://a\nenvironment Prod\n" });
    assert.throws(
      () => resolveUpSettings({}, { ...env, ...broken }, quiet),
      (error: unknown) =>
        error instanceof SettingsError &&
        error.problems.length === 1 &&
        /config line 3: expected KEY = VALUE/.test(error.message),
    );
  });

  test("one problem alone keeps its own message and hint", () => {
    assert.throws(
      () => resolveUpSettings({ timeout: "abc" }, env, quiet),
      usageError(/^--timeout must be a positive number of seconds, got "abc"$/),
    );
  });

  // Every setting that can stand with the others (an agent IP and an interface, an environment and a cluster, a
  // CA checksum and a CA file cannot): with all of them given, then each left out in turn.
  const given: UpFlags = {
    url: "http://srv:8080",
    accessKey: "AK",
    secretKey: "SK",
    environment: "Default",
    label: ["role=web"],
    agentIp: "10.0.0.3",
    timeout: "30",
    waitForDocker: "5",
    role: ["worker"],
    nodeName: "node-1",
    address: "10.0.0.3",
    internalAddress: "10.0.0.4",
    taint: ["a=b:NoSchedule"],
    waitFor: "active",
  } as UpFlags;
  for (const name of SETTING_NAMES) {
    const flag = flagAttribute(SETTINGS[name].flag);
    test(`${SETTINGS[name].flag} absent: its default, or "${SETTINGS[name].description} is not set", never "undefined"`, () => {
      const flags: Record<string, unknown> = { ...given };
      delete flags[flag];
      try {
        const settings = resolveUpSettings(flags, none, quiet);
        assert.doesNotMatch(JSON.stringify(settings), /undefined/);
      } catch (error) {
        assert.ok(error instanceof SettingsError && error.onlyMissing, String(error));
        assert.match(
          error.message,
          /^the (Rancher server URL|API credentials) is not set$|^the API (access|secret) key is not set$/,
        );
        assert.doesNotMatch(`${error.message} ${error.hint}`, /undefined/);
      }
    });
  }
});
