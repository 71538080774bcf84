// The system agent's parts that touch nothing of this machine: reading the server's node command, the installer's
// arguments and environment, and running a program with exactly the environment it is given.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runProgram } from "../../src/agents/host-process.js";
import { parseInstallCommand } from "../../src/agents/install-command.js";
import { installerInvocation } from "../../src/agents/installer-invocation.js";
import { Deadline } from "../../src/deadline.js";
import { EnrollError } from "../../src/errors.js";
import type { JoinSpec, NodeOptions } from "../../src/flows/seam.js";

const token = "ngq2cd9wfpxcvjcdrrdkdwrc9xfk22xcxxqckcwgmrgwfxmw94hfxx";
const checksum = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881";
const server = "https://rancher.example.com";
const args = `--server ${server} --label 'cattle.io/os=linux' --token ${token} --ca-checksum ${checksum}`;
// v2.8's status.go for a cluster without agent env vars: the env slots stay empty, hence two spaces.
const v28 = ` curl -fL ${server}/system-agent-install.sh | sudo  sh -s - ${args}`;
const machineId = "a".repeat(63);

const join = (command = v28): JoinSpec => ({
  id: "crt-abcde",
  secret: token,
  command,
  url: server,
  caChecksum: checksum,
  installer: { url: `${server}/system-agent-install.sh`, script: "#!/bin/sh\n", sha256: "x" },
});
const options = (more: Partial<NodeOptions> = {}): NodeOptions => ({ labels: {}, env: {}, ...more });

test("the v2.8 node command: the script's URL, and the installer's arguments without the secrets", () => {
  assert.deepEqual(parseInstallCommand(v28), {
    scriptUrl: `${server}/system-agent-install.sh`,
    env: {},
    args: ["--label", "cattle.io/os=linux"],
    server,
    token,
    caChecksum: checksum,
  });
});

test("the cluster's agent env vars before curl and after sudo, quoted, '$' kept as written; --insecure", () => {
  const env = 'HTTPS_PROXY="http://u:pa$$w0rd@10.0.0.5:3128" NO_PROXY="a b,c=d"';
  const command = `${env} curl --insecure -fL ${server}/system-agent-install.sh | sudo ${env} sh -s - ${args}`;
  const parsed = parseInstallCommand(command);
  assert.deepEqual(parsed.env, { HTTPS_PROXY: "http://u:pa$$w0rd@10.0.0.5:3128", NO_PROXY: "a b,c=d" });
  assert.equal(parsed.scriptUrl, `${server}/system-agent-install.sh`);
  assert.deepEqual(parsed.args, ["--label", "cattle.io/os=linux"]);
});

test("a command that is not `curl … | sh -s -` is refused (exit 8), never run in part", () => {
  for (const command of [
    `sudo docker run -d rancher/rancher-agent:v2.8.15 --server ${server} --token ${token}`,
    `${v28}; rm -rf /`,
    `curl -fL ${server}/system-agent-install.sh | sudo bash -s - ${args}`,
    `curl -fL ${server}/system-agent-install.sh | sh -s - | sh`,
    `curl -fL ${server}/system-agent-install.sh | sudo sh -s - --server ${server} --token`,
  ]) {
    assert.throws(
      () => parseInstallCommand(command),
      (error: unknown) =>
        error instanceof EnrollError && error.exitCode === 8 && !error.message.includes(token),
      command,
    );
  }
});

test("the installer's arguments: the server's, the roles, the node's name, addresses, labels and taints", () => {
  const node = options({
    roles: ["etcd", "controlplane", "worker"],
    nodeName: "Web-1",
    address: "10.0.0.7",
    internalAddress: "192.168.1.7",
    labels: { tier: "web", "example.com/zone": "a" },
    taints: ["dedicated=web:NoSchedule"],
  });
  const run = installerInvocation("/kept/install.sh", join(), parseInstallCommand(v28), node, machineId);
  assert.deepEqual(run.args, [
    "/kept/install.sh",
    "--label",
    "cattle.io/os=linux",
    "--etcd",
    "--controlplane",
    "--worker",
    "--node-name",
    "web-1",
    "--address",
    "10.0.0.7",
    "--internal-address",
    "192.168.1.7",
    "--label",
    "tier=web",
    "--label",
    "example.com/zone=a",
    "--taints",
    "dedicated=web:NoSchedule",
  ]);
});

test("the token, the CA checksum and the machine id travel in the environment, never in the arguments", () => {
  const env = {
    PATH: "/usr/bin:/bin",
    RANCHER_TOKEN: "token-x:secret",
    HTTPS_PROXY: "http://p:3128",
    HOME: "/root",
  };
  const run = installerInvocation(
    "/kept/install.sh",
    join(),
    parseInstallCommand(v28),
    options({ env }),
    machineId,
  );
  assert.ok(!run.args.some((arg) => arg.includes(token) || arg.includes(checksum)));
  assert.deepEqual(run.env, {
    PATH: "/usr/bin:/bin",
    HTTPS_PROXY: "http://p:3128",
    CATTLE_SERVER: server,
    CATTLE_TOKEN: token,
    CATTLE_CA_CHECKSUM: checksum,
    CATTLE_ID: machineId,
  });
  assert.deepEqual(run.args.slice(-1), ["--worker"], "worker when no role is given, as the RKE1 agent");
  assert.ok(!run.shown.includes(token), run.shown);
  assert.match(
    run.shown,
    /CATTLE_TOKEN=ngq2…\(masked\).* sh \/kept\/install\.sh --label cattle\.io\/os=linux --worker$/,
  );
});

test("a label with a comma is refused: install.sh joins labels with commas (X-Cattle-Labels)", () => {
  assert.throws(
    () =>
      installerInvocation(
        "/k",
        join(),
        parseInstallCommand(v28),
        options({ labels: { a: "b,c" } }),
        machineId,
      ),
    (error: unknown) => error instanceof EnrollError && error.exitCode === 2,
  );
});

test("a program runs with exactly the environment given; its exit code and last lines come back", async () => {
  const lines: string[] = [];
  const run = await runProgram(
    "/bin/sh",
    ["-c", 'echo "one $CATTLE_ID"; env | sort >&2; printf last; exit 3'],
    {
      env: { CATTLE_ID: "m1" },
      onLine: (line) => lines.push(line),
    },
  );
  assert.equal(run.code, 3);
  assert.equal(lines[0], "one m1");
  assert.equal(lines.at(-1), "last");
  assert.ok(!lines.some((line) => line.startsWith("HOME=") || line.startsWith("RANCHER")), lines.join("\n"));
});

test("a program still running at the deadline is stopped, and the timeout says which", async () => {
  const started = Date.now();
  await assert.rejects(
    runProgram("/bin/sh", ["-c", "exec sleep 30"], {
      env: {},
      deadline: new Deadline(0.3),
      what: "the installer",
    }),
    (error: unknown) =>
      error instanceof EnrollError &&
      error.exitCode === 7 &&
      /the installer did not finish/.test(error.message),
  );
  assert.ok(Date.now() - started < 5000);
});

test("a program that is not there is said as such (exit 5)", async () => {
  await assert.rejects(
    runProgram("/nonexistent/systemctl", [], { env: {} }),
    (error: unknown) =>
      error instanceof EnrollError &&
      error.exitCode === 5 &&
      /cannot run \/nonexistent\/systemctl/.test(error.message),
  );
});
