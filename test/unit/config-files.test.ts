import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { ProfileFiles, profilePaths } from "../../src/config/profile-files.js";
import { formatProfileFile, parseProfileFile, type FileKind } from "../../src/config/profile-parse.js";
import { readRancherCliConfig } from "../../src/config/rancher-cli.js";
import { EnrollError } from "../../src/errors.js";
import { profileFixture, removeProfileFixtures } from "./config-fixtures.js";

after(removeProfileFixtures);

const values = (text: string, kind: FileKind = "config") =>
  Object.fromEntries(
    [...parseProfileFile(text, "/f", kind)].map(([name, entries]) => [
      name,
      Object.fromEntries([...entries].map(([key, entry]) => [key, `${entry.value}@${entry.line}`])),
    ]),
  );

describe("parsing a profile file", () => {
  test("sections, comments, quotes and escapes, with the line of every value", () => {
    const text = [
      "# a comment",
      "; another",
      "[default]",
      "url = http://a:8080   ; trailing comment",
      "",
      "[profile prod]",
      'labels = "role=web&zone=eu west"',
      "environment=Prod \\# 1",
      "  timeout =  30  ",
      "[edge_2]",
      "agent_ip = 10.0.0.9",
      "[default]",
      "environment = Default",
    ].join("\r\n");
    assert.deepEqual(values(text), {
      default: { url: "http://a:8080@4", environment: "Default@13" },
      prod: { labels: "role=web&zone=eu west@7", environment: "Prod # 1@8", timeout: "30@9" },
      edge_2: { agent_ip: "10.0.0.9@11" },
    });
  });

  test("the credentials file holds the keys; empty values are kept (and count as unset)", () => {
    assert.deepEqual(values("[prod]\naccess_key = A\nsecret_key =\n", "credentials"), {
      prod: { access_key: "A@2", secret_key: "@3" },
    });
  });

  test("malformed input: the file, the line and what is wrong, never a value", () => {
    const cases: [string, FileKind, RegExp][] = [
      [
        "[default]\nurl http://a",
        "config",
        /^\/f line 2: expected KEY = VALUE, or a \[PROFILE\] section header$/,
      ],
      [
        "url = http://a\n[default]",
        "config",
        /^\/f line 1: "url" comes before any \[PROFILE\] section header$/,
      ],
      [
        "[default]\nurl = a\nurl = b",
        "config",
        /^\/f line 3: url is set twice in profile "default" \(first on line 2\)$/,
      ],
      [
        "[p]\nurl = a\n[profile p]\nurl = b",
        "config",
        /^\/f line 4: url is set twice in profile "p" \(first on line 2\)$/,
      ],
      [
        "[default]\nurll = a",
        "config",
        /^\/f line 2: "urll" is not a setting of the config file \(known: url, cluster, ca_cert, insecure, environment, labels, agent_ip, agent_interface, timeout, wait_for_docker, roles, node_name, address, internal_address, taints, wait_for, ca_checksum\)$/,
      ],
      [
        "[default]\nsecret_key = s3cret",
        "config",
        /^\/f line 2: secret_key belongs in the credentials file, which is kept private/,
      ],
      [
        "[default]\nurl = http://a",
        "credentials",
        /^\/f line 2: url belongs in the config file, not in the credentials file$/,
      ],
      [
        "[default]\nsecret = s3cret",
        "credentials",
        /^\/f line 2: "secret" is not a setting of the credentials file \(known: access_key, secret_key, token\)$/,
      ],
      ["[default]\nlabels[] = a=b", "config", /^\/f line 2: labels must hold one value, not a list$/],
      [
        "[profile a.b]",
        "config",
        /^\/f line 1: \[profile a\.b\] does not name a profile: a name holds only letters, digits, '-' and '_'$/,
      ],
      ["[a b]", "config", /^\/f line 1: \[a b\] does not name a profile/],
      ["[]", "config", /^\/f line 1: \[\] does not name a profile/],
      [
        "[default] ; the default",
        "config",
        /^\/f line 1: \[default\] ; the default is not a section header: write \[NAME\] or \[profile NAME\] alone on its line$/,
      ],
      ["[default", "config", /^\/f line 1: \[default is not a section header/],
      ["[p]\naccess_key: AKIA-SECRET-ISH", "credentials", /^\/f line 2: expected KEY = VALUE/],
    ];
    for (const [text, kind, message] of cases) {
      assert.throws(
        () => parseProfileFile(text, "/f", kind),
        (error: unknown) =>
          error instanceof EnrollError &&
          error.kind === "usage" &&
          message.test(error.message) &&
          !/s3cret|SECRET-ISH/.test(error.message),
        `${JSON.stringify(text)}: ${message}`,
      );
    }
  });

  test("what is written reads back the same, whatever the characters", () => {
    const tricky = [
      "a=b&c=d e",
      " padded ",
      "semi;colon #hash",
      'quo"te',
      "back\\slash",
      "[bracket",
      "true",
      "ünï",
    ];
    const profiles = new Map(
      tricky.map((value, index) => [`p${index}`, new Map([["environment", { value, line: 0 }]])]),
    );
    const text = formatProfileFile("config", profiles);
    assert.match(text, /^\[profile p0\]$/m, "the config file names sections as the AWS CLI does");
    const parsed = parseProfileFile(text, "/f", "config");
    assert.deepEqual(
      [...parsed].map(([, entries]) => entries.get("environment")?.value),
      tricky,
    );
  });
});

describe("where the files are", () => {
  test("root uses /etc/rancher-enroll, a user ~/.rancher-enroll, and the variables win", () => {
    assert.deepEqual(profilePaths({ HOME: "/home/u" }, 0), {
      config: "/etc/rancher-enroll/config",
      credentials: "/etc/rancher-enroll/credentials",
    });
    assert.deepEqual(profilePaths({ HOME: "/home/u" }, 1000), {
      config: "/home/u/.rancher-enroll/config",
      credentials: "/home/u/.rancher-enroll/credentials",
    });
    assert.deepEqual(
      profilePaths(
        { HOME: "/home/u", RANCHER_ENROLL_CONFIG_FILE: "/c", RANCHER_ENROLL_CREDENTIALS_FILE: "/k" },
        0,
      ),
      { config: "/c", credentials: "/k" },
    );
  });
});

describe("writing profiles", () => {
  test("a new credentials file is 0600 in a 0700 directory; other profiles and keys are kept", () => {
    const { directory } = profileFixture();
    const paths = { config: join(directory, "new/config"), credentials: join(directory, "new/credentials") };
    const files = new ProfileFiles(paths);
    files.update(
      "credentials",
      "prod",
      new Map([
        ["access_key", "A1"],
        ["secret_key", "S1"],
      ]),
    );
    files.update(
      "credentials",
      "dev",
      new Map([
        ["access_key", "A2"],
        ["secret_key", "S2"],
      ]),
    );
    files.update("credentials", "prod", new Map([["secret_key", "S3"]]));
    files.update("config", "prod", new Map([["url", "http://p"]]));
    assert.equal(statSync(paths.credentials).mode & 0o777, 0o600);
    assert.equal(statSync(join(directory, "new")).mode & 0o777, 0o700);
    assert.deepEqual(values(readFileSync(paths.credentials, "utf8"), "credentials"), {
      prod: { access_key: "A1@6", secret_key: "S3@7" },
      dev: { access_key: "A2@10", secret_key: "S2@11" },
    });
    assert.deepEqual(new ProfileFiles(paths).names(), ["dev", "prod"]);
  });

  test("an open credentials file is refused before it is rewritten", () => {
    const fixture = profileFixture({ credentials: "[p]\naccess_key = A\n" }, 0o604);
    const files = new ProfileFiles(profilePaths(fixture.env));
    assert.throws(() => files.update("credentials", "p", new Map([["secret_key", "S"]])), /mode 0604/);
    assert.equal(readFileSync(fixture.credentials, "utf8"), "[p]\naccess_key = A\n");
  });
});

describe("importing the Rancher 1.x CLI configuration", () => {
  const cliJson = (content: string, mode = 0o600) => {
    const { directory } = profileFixture();
    const path = join(directory, "cli.json");
    writeFileSync(path, content, { mode });
    return path;
  };

  test("maps url, accessKey, secretKey and environment; warns when the file is open to others", () => {
    const path = cliJson(
      JSON.stringify({
        accessKey: "AK",
        secretKey: "SK",
        url: "http://r:8080/v2-beta/schemas",
        environment: "1a5",
      }),
      0o644,
    );
    const warnings: string[] = [];
    const found = readRancherCliConfig(path, (message) => warnings.push(message));
    assert.deepEqual(Object.fromEntries([...found].map(([name, { text }]) => [name, text])), {
      url: "http://r:8080/v2-beta/schemas",
      accessKey: "AK",
      secretKey: "SK",
      environment: "1a5",
    });
    assert.deepEqual(found.get("secretKey")?.origin, { source: "rancher-cli", field: "secretKey", path });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /chmod 600/);
  });

  test("the 2.x CLI's cli2.json: the current server's URL and token, and the cluster of its project", () => {
    const server = { url: "https://r.example", tokenKey: "token-ab12c:s3cr3t", project: "c-7xk2q:p-abcde" };
    const path = cliJson(
      JSON.stringify({
        Servers: { other: { url: "https://o", tokenKey: "token-x:y" }, work: { ...server, cacert: "PEM" } },
        CurrentServer: "work",
      }),
    );
    const warnings: string[] = [];
    const found = readRancherCliConfig(path, (message) => warnings.push(message));
    assert.deepEqual(Object.fromEntries([...found].map(([name, { text }]) => [name, text])), {
      url: "https://r.example",
      token: "token-ab12c:s3cr3t",
      cluster: "c-7xk2q",
    });
    assert.deepEqual(found.get("token")?.origin, {
      source: "rancher-cli",
      field: "Servers.work.tokenKey",
      path,
    });
    assert.deepEqual(warnings.length, 1);
    assert.match(warnings[0]!, /Servers\.work\.cacert.*not imported/);
    const keysOnly = cliJson(
      JSON.stringify({ Servers: { rancherDefault: { accessKey: "token-a", secretKey: "b" } } }),
    );
    assert.equal(readRancherCliConfig(keysOnly, () => undefined).get("token")?.text, "token-a:b");
  });

  test("the same rules as our own files: one another user could write, or not a regular file, is refused", () => {
    const content = JSON.stringify({ Servers: { rancherDefault: { url: "https://r", tokenKey: "t-a:b" } } });
    const open = cliJson(content);
    chmodSync(open, 0o620);
    assert.throws(
      () => readRancherCliConfig(open, () => undefined),
      (error: unknown) =>
        error instanceof EnrollError &&
        error.kind === "usage" &&
        /writable by group or others \(mode 0620\)/.test(error.message) &&
        /chmod go-w/.test(error.hint ?? ""),
    );
    const { directory } = profileFixture();
    const fifo = join(directory, "cli2.json");
    execFileSync("mkfifo", [fifo]);
    assert.throws(
      () => readRancherCliConfig(fifo, () => undefined),
      /is not a regular file \(it is a FIFO\)/,
    );
  });

  test("refuses what is not a 1.x cli.json, naming the file", () => {
    const cases: [string, RegExp][] = [
      ["{", /is not JSON/],
      ["[]", /is not a JSON object/],
      ['{"Servers":{},"CurrentServer":"x"}', /it has no server "x"/],
      ['{"Servers":{"rancherDefault":{"project":"c-1:p-1"}}}', /has no url and no token/],
      ['{"url":1}', /field "url" is not a string/],
      ['{"path":"/x"}', /sets none of url, accessKey, secretKey, environment/],
    ];
    for (const [content, message] of cases) {
      const path = cliJson(content);
      assert.throws(
        () => readRancherCliConfig(path, () => undefined),
        (error: unknown) =>
          error instanceof EnrollError &&
          error.message.startsWith(`cannot import ${path}: `) &&
          message.test(error.message),
        message.source,
      );
    }
    assert.throws(
      () => readRancherCliConfig("/nonexistent/cli.json", () => undefined),
      /no Rancher CLI configuration at/,
    );
  });
});
