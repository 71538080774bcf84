// Local files that decide where secrets go or what the machine is enrolled in: who may have written them, how they
// are written, and the machine lock.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  rmdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, mock, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { ProfileFiles, profilePaths } from "../../src/config/profile-files.js";
import { Deadline } from "../../src/deadline.js";
import { EnrollError } from "../../src/errors.js";
import { ENROLLMENT_VERSION, EnrollmentStore, type Enrollment } from "../../src/state/enrollment.js";
import { withMachineLock } from "../../src/state/lock.js";
import { profileFixture, removeProfileFixtures } from "./config-fixtures.js";

const scratch = mkdtempSync(join(tmpdir(), "rancher-enroll-local-state-"));
after(() => {
  removeProfileFixtures();
  rmSync(scratch, { recursive: true, force: true });
});
const log = pino({ level: "silent" });
const OTHER_UID = 4242;
const isError = (kind: string, message: RegExp, hint?: RegExp) => (error: unknown) =>
  error instanceof EnrollError &&
  error.kind === kind &&
  message.test(error.message) &&
  (!hint || hint.test(error.hint ?? ""));

let dirs = 0;
const freshDir = (mode = 0o700) => {
  const dir = join(scratch, `d${(dirs += 1)}`);
  mkdirSync(dir, { mode });
  chmodSync(dir, mode);
  return dir;
};

const enrollment: Enrollment = {
  version: ENROLLMENT_VERSION,
  serverLine: "cattle",
  server: "https://rancher.test/v2-beta",
  target: { id: "1a5", name: "Default" },
  agentImage: "rancher/agent:v1.2.11",
  joinId: "1c1",
  launchedAt: "2026-01-01T00:00:00.000Z",
};

describe("profile files another user could have written", () => {
  const config = "[default]\nurl = https://rancher.test\n";
  const readConfig = (env: Record<string, string>) => new ProfileFiles(profilePaths(env)).read("config");

  test("a config file that group or others can write is refused, naming the fix", () => {
    for (const mode of [0o664, 0o646]) {
      const fixture = profileFixture({ config });
      chmodSync(fixture.config, mode);
      assert.throws(
        () => readConfig(fixture.env),
        isError(
          "usage",
          new RegExp(
            `^the config file ${fixture.config} is writable by group or others \\(mode 0${mode.toString(8)}\\); refusing`,
          ),
          /chmod go-w/,
        ),
      );
    }
  });

  test("a config or credentials file owned by another user is refused", () => {
    const fixture = profileFixture({ config, credentials: "[default]\naccess_key = A\n" });
    chownSync(fixture.config, OTHER_UID, OTHER_UID);
    chownSync(fixture.credentials, OTHER_UID, OTHER_UID);
    const files = new ProfileFiles(profilePaths(fixture.env));
    assert.throws(() => files.read("config"), isError("usage", /config file .* is owned by uid 4242/));
    assert.throws(
      () => files.read("credentials"),
      isError("usage", /credentials file .* is owned by uid 4242/),
    );
  });

  test("a 0644 config file of this user's is read", () => {
    const fixture = profileFixture({ config });
    chmodSync(fixture.config, 0o644);
    assert.equal(readConfig(fixture.env).profiles.get("default")?.get("url")?.value, "https://rancher.test");
  });

  test("a FIFO or a device as the config file is refused at once, not waited on", () => {
    const fixture = profileFixture();
    const fifo = join(fixture.directory, "fifo");
    execFileSync("mkfifo", [fifo]);
    for (const [path, what] of [
      ["/dev/zero", "a device"],
      ["/dev/null", "a device"],
      [fifo, "a FIFO"],
    ]) {
      assert.throws(
        () => readConfig({ ...fixture.env, RANCHER_ENROLL_CONFIG_FILE: path! }),
        isError("usage", new RegExp(`${path} is not a regular file \\(it is ${what}\\)`)),
      );
    }
  });
});

describe("the state directory and the enrollment record", () => {
  test("a state directory group or others can write, or another user's, is refused for reading and writing", async () => {
    const open = freshDir(0o777);
    const foreign = freshDir();
    chownSync(foreign, OTHER_UID, OTHER_UID);
    for (const [dir, problem] of [
      [open, /is writable by group or others \(mode 0777\)/],
      [foreign, /is owned by uid 4242/],
    ] as const) {
      const store = new EnrollmentStore(dir);
      const refused = isError("usage", problem, /chmod 700|RANCHER_ENROLL_STATE_DIR/);
      await assert.rejects(store.read(), refused);
      await assert.rejects(store.write(enrollment), refused);
      assert.equal(existsSync(store.file), false);
    }
  });

  test("the temporary file is created exclusively: a symlink planted in its place is never written through", async () => {
    const dir = freshDir();
    const store = new EnrollmentStore(dir);
    const victim = join(scratch, "victim");
    writeFileSync(victim, "precious\n");
    const now = mock.method(Date, "now", () => 1_700_000_000_000);
    try {
      symlinkSync(victim, `${store.file}.${process.pid}-${(1_700_000_000_000).toString(36)}.tmp`);
      await assert.rejects(
        store.write(enrollment),
        isError("usage", /cannot write .*enrollment\.json: EEXIST/),
      );
    } finally {
      now.mock.restore();
    }
    assert.equal(readFileSync(victim, "utf8"), "precious\n");
  });

  test("a record written is read back, private to this user, and leaves no temporary file", async () => {
    const dir = join(freshDir(), "state");
    const store = new EnrollmentStore(dir);
    assert.equal(await store.read(), undefined, "no directory yet: not enrolled");
    await store.write(enrollment);
    assert.deepEqual(await store.read(), enrollment);
    assert.equal(statSync(store.file).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(existsSync(join(dir, "enrollment.json")), true);
  });
});

describe("the machine lock", () => {
  test("a stale lock left as a plain file: what it is and how to clear it, not ENOTDIR", async () => {
    const dir = freshDir();
    writeFileSync(join(dir, "lock"), "");
    const old = new Date(Date.now() - 3_600_000);
    const { utimesSync } = await import("node:fs");
    utimesSync(join(dir, "lock"), old, old);
    await assert.rejects(
      withMachineLock(dir, new Deadline(5), log, async () => "worked"),
      isError("usage", /lock is not a lock rancher-enroll made: its lock is a directory/, /rm .*\/lock/),
    );
    assert.equal(existsSync(join(dir, "lock")), true, "left for the user to judge");
  });

  test("a lock compromised while working ends the command with an error value, not a throw in a timer", async () => {
    const dir = freshDir();
    const run = withMachineLock(
      dir,
      new Deadline(30),
      log,
      async () => {
        rmdirSync(join(dir, "lock"));
        await sleep(2500);
        return "finished as if nothing happened";
      },
      2000,
    );
    await assert.rejects(run, (error: unknown) => {
      assert.ok(error instanceof EnrollError);
      assert.equal(error.exitCode, 1);
      assert.match(error.message, /^lost the lock .*\/lock while working/);
      return true;
    });
  });

  test("the lock is taken in a fresh directory and released after the work", async () => {
    const dir = freshDir();
    assert.equal(await withMachineLock(dir, new Deadline(5), log, async () => "worked"), "worked");
    assert.equal(existsSync(join(dir, "lock")), false);
  });
});
