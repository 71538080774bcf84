import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "shell-quote";
import { parseNodeCommand } from "../../src/agents/node-command.js";
import { describeService, rancherAgentSpec } from "../../src/agents/rancher-agent-spec.js";
import { createOptions } from "../../src/docker/service.js";
import { EnrollError } from "../../src/errors.js";

const token = "ngq2cd9wfpxcvjcdrrdkdwrc9xfk22xcxxqckcwgmrgwfxmw94hfxx";
const checksum = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881";
// v2.8 for a cluster without agent env vars: two spaces where the env slot is empty.
const v28 =
  "sudo docker run -d --privileged --restart=unless-stopped --net=host -v /etc/kubernetes:/etc/kubernetes " +
  `-v /var/run:/var/run  rancher/rancher-agent:v2.8.15 --server https://rancher.example.com --token ${token} ` +
  `--ca-checksum ${checksum}`;

test("the v2.8 node command: image, options, mounts and the agent's arguments, as the server wrote them", () => {
  const command = parseNodeCommand(v28);
  assert.deepEqual(command, {
    image: "rancher/rancher-agent:v2.8.15",
    args: ["--server", "https://rancher.example.com", "--token", token, "--ca-checksum", checksum],
    env: [],
    binds: ["/etc/kubernetes:/etc/kubernetes", "/var/run:/var/run"],
    privileged: true,
    networkMode: "host",
    restartPolicy: "unless-stopped",
    server: "https://rancher.example.com",
    token,
    caChecksum: checksum,
  });
});

test("quoted (v2.6+) and unquoted (v2.5) env vars, values with spaces, '=' and '$' kept as written", () => {
  const v26 = v28.replace(
    "-v /var/run:/var/run  ",
    () => '-v /var/run:/var/run -e "HTTPS_PROXY=http://u:pa$$w0rd@10.0.0.5:3128" -e "NO_PROXY=a b,c=d" ',
  );
  assert.deepEqual(parseNodeCommand(v26).env, [
    "HTTPS_PROXY=http://u:pa$$w0rd@10.0.0.5:3128",
    "NO_PROXY=a b,c=d",
  ]);
  const v25 = v28.replace("-v /var/run:/var/run  ", "-v /var/run:/var/run -e HTTP_PROXY=http://p:3128 ");
  assert.deepEqual(parseNodeCommand(v25).env, ["HTTP_PROXY=http://p:3128"]);
});

test("a command without sudo, with --volume=, --network and -dit spellings, reads the same", () => {
  const command = parseNodeCommand(
    "docker run -dit --privileged --restart unless-stopped --network host --volume=/etc/kubernetes:/etc/kubernetes " +
      `--env=A=1 registry.local:5000/rancher/rancher-agent:v2.5.17 --server https://r --token ${token}`,
  );
  assert.equal(command.image, "registry.local:5000/rancher/rancher-agent:v2.5.17");
  assert.equal(command.restartPolicy, "unless-stopped");
  assert.equal(command.networkMode, "host");
  assert.deepEqual(command.binds, ["/etc/kubernetes:/etc/kubernetes"]);
  assert.deepEqual(command.env, ["A=1"]);
  assert.equal(command.caChecksum, undefined);
});

function refused(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseNodeCommand(text),
    (error: unknown) => {
      assert.ok(error instanceof EnrollError);
      assert.equal(error.kind, "server");
      assert.match(error.message, pattern);
      assert.doesNotMatch(error.message, new RegExp(token));
      return true;
    },
  );
}

test("an RKE2 command, a Windows command, an unknown option, a missing image are refused, the token masked", () => {
  refused(
    `curl -fL https://r/system-agent-install.sh | sudo  sh -s - --server https://r --label 'cattle.io/os=linux' --token ${token}`,
    /rancher-system-agent: it is an RKE2\/K3s cluster/,
  );
  refused(
    `PowerShell -NoLogo -Command "& {docker run rancher/rancher-agent --token ${token}}"`,
    /not a `docker run`/,
  );
  refused(
    v28.replace("--net=host", "--cap-add SYS_ADMIN"),
    /the option --cap-add, which this tool does not know/,
  );
  refused("sudo docker run -d --privileged", /it names no image/);
  refused(`sudo docker run -v`, /-v has no value/);
});

const flags = {
  roles: ["worker", "etcd"] as const,
  nodeName: "node-01",
  address: "10.0.0.11",
  internalAddress: "192.168.0.11",
  labels: { "tool.example/run": "abc", zone: "a b" },
  taints: ["dedicated=infra:NoSchedule"],
};

test("the agent container: the server's command plus the node options in the UI's order, long-lived", () => {
  const spec = rancherAgentSpec(parseNodeCommand(v28), flags);
  assert.deepEqual(createOptions(spec), {
    name: "rancher-enroll-agent",
    Image: "rancher/rancher-agent:v2.8.15",
    Cmd: [
      ...["--server", "https://rancher.example.com", "--token", token, "--ca-checksum", checksum],
      ...["--node-name", "node-01", "--address", "10.0.0.11", "--internal-address", "192.168.0.11"],
      ...["--etcd", "--worker"],
      ...["--label", "tool.example/run=abc", "--label", "zone=a b", "--taints", "dedicated=infra:NoSchedule"],
    ],
    Env: [],
    Labels: { "io.rancher-enroll.role": "rancher-agent" },
    HostConfig: {
      Privileged: true,
      Binds: ["/etc/kubernetes:/etc/kubernetes", "/var/run:/var/run"],
      NetworkMode: "host",
      RestartPolicy: { Name: "unless-stopped" },
    },
  });
});

test("the dry-run line is a pastable docker run with the token masked", () => {
  const spec = rancherAgentSpec(parseNodeCommand(v28), {
    ...flags,
    roles: ["worker"],
    labels: {},
    taints: [],
  });
  const line = describeService(spec, token);
  assert.doesNotMatch(line, new RegExp(token));
  assert.match(line, /--token ngq2…\(masked\)/);
  const words = parse(line.replace("ngq2…(masked)", "MASKED")).map(String);
  assert.deepEqual(words.slice(0, 8), [
    ...["docker", "run", "-d", "--name", "rancher-enroll-agent"],
    ...["--privileged", "--restart=unless-stopped", "--net=host"],
  ]);
  const image = words.indexOf("rancher/rancher-agent:v2.8.15");
  assert.deepEqual(
    words.slice(image + 1),
    spec.cmd.map((word) => (word === token ? "MASKED" : word)),
  );
});
