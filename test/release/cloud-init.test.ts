// cloud-init/ end to end: Debian's cloud-init boots a scratch copy of this machine from our user-data (NoCloud seed,
// real boot stages), and what the user-data runs (the release's .deb installed) enrolls it into the simulator through
// the test bed's engine (Rancher 1.6, and a 2.x cluster of the v3 simulator behind a private CA), or through the
// fake rancher-system-agent installer on a machine whose systemd is the test bed's (an RKE2 cluster; see
// test/support/system-agent.ts for what is real). The Packer template's provisioner bakes an image first for the
// baked variant.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { after, before, describe, it } from "node:test";
import { bootWithCloudInit, type MetaData } from "../support/cloud-init-boot.js";
import { e2e, useE2eWorld } from "../support/e2e.js";
import { usePrivateCaV3World } from "../support/e2e-v3.js";
import {
  fillIn,
  machineEnv,
  missingTools,
  notRoot,
  repoFile,
  type Download,
} from "../support/integrations.js";
import { bakeWithPacker } from "../support/packer-bake.js";
import { debDownload, missingRelease } from "../support/release.js";
import { ScratchMachine, type ScratchMachineOptions } from "../support/scratch-machine.js";
import { fakeInstallerScript, stopServices, systemdMachine } from "../support/system-agent.js";
import { docker, tryDocker } from "../support/testbed/engine.js";
import type { TestbedInfo } from "../support/testbed/testbed.js";

const skip =
  e2e.skip ||
  notRoot ||
  (await missingTools("cloud-init", "curl", "sha256sum", "dpkg")) ||
  (await missingRelease());
const INSTALLED = "/usr/bin/rancher-enroll";

// The agent shares the engine's hostname (host network), so the metadata names the machine as the engine sees it.
const META_DATA: MetaData = {
  "instance-id": "i-0123456789",
  "local-hostname": hostname(),
  "cloud-name": "example-cloud",
  region: "eu-west-1",
  "availability-zone": "eu-west-1b",
};
const METADATA_LABELS = { cloud: "example-cloud", region: "eu-west-1", zone: "eu-west-1b" };

/** The host's labels less those the agent adds (io.rancher.host.*). */
const ours = (labels: Record<string, string>) =>
  Object.fromEntries(Object.entries(labels).filter(([key]) => !key.startsWith("io.rancher.")));

// Stands in for the package manager, which has no archive to install from here: records how it was called.
const APT_GET_RECORDER = `#!/bin/sh\necho "$*" >> /var/log/apt-get.calls\n`;

/**
 * The release's .deb to download, and scratch machines on the test bed's engine (made by `create`), disposed of after
 * the file with whatever services the test bed's systemctl started on them.
 */
function useMachines(
  testbed: () => TestbedInfo,
  create: (options: ScratchMachineOptions) => Promise<ScratchMachine> = (options) =>
    ScratchMachine.create(options),
) {
  let deb: Download | undefined;
  const machines: ScratchMachine[] = [];

  before(async () => {
    deb = await debDownload();
  });
  after(async () => {
    await Promise.all(machines.map((machine) => stopServices(machine).then(() => machine.dispose())));
  });

  async function machine(image?: ScratchMachine): Promise<ScratchMachine> {
    const made = await create({ dockerHost: testbed().dockerHost, ...(image && { image }) });
    machines.push(made);
    await made.write("/usr/local/sbin/apt-get", APT_GET_RECORDER, 0o755);
    return made;
  }
  const download = () => {
    if (!deb) throw new Error("no .deb to download");
    return deb;
  };
  return { machine, download };
}

/** The one JSON object `up` printed among the boot's output. */
function upResult(output: string): Record<string, unknown> {
  const line = output.split("\n").find((text) => text.startsWith('{"ok":'));
  assert.ok(line, `no JSON result in the boot output:\n${output}`);
  return JSON.parse(line) as Record<string, unknown>;
}

describe("cloud-init user-data", { skip }, () => {
  const world = useE2eWorld();
  const { machine, download } = useMachines(() => world.testbed);

  /** The user-data as a user fills it in for this server and this download. */
  async function userData(file: string): Promise<string> {
    const deb = download();
    const values: Record<string, string> = {
      "https://rancher.example.com:8080": world.simulator.url,
      "CHANGE-ME-ACCESS-KEY": world.simulator.environmentKey.accessKey,
      "CHANGE-ME-SECRET-KEY": world.simulator.environmentKey.secretKey,
    };
    if (file === "user-data.yaml") {
      values["https://downloads.example.com/rancher-enroll/v0.1.0/rancher-enroll_0.1.0_amd64.deb"] = deb.url;
      values["CHANGE-ME-SHA256"] = deb.sha256;
    }
    return fillIn(await readFile(repoFile(`cloud-init/${file}`), "utf8"), values);
  }

  function assertEnrolledWithMetadataLabels(result: Record<string, unknown>): void {
    assert.equal(result.changed, true);
    const hosts = world.simulator.hosts("1a5");
    assert.deepEqual(
      hosts.map((host) => [host.id, host.state]),
      [[(result.host as { id: string }).id, "active"]],
    );
    assert.deepEqual(ours(hosts[0]!.labels), METADATA_LABELS);
  }

  it("a fresh machine with Docker: profile written 0600, the .deb installed, enrolled with metadata labels", async () => {
    const fresh = await machine();
    const boot = await bootWithCloudInit(fresh, await userData("user-data.yaml"), META_DATA, machineEnv());
    assert.equal(boot.code, 0, `${boot.stderr}\n${boot.output}`);
    assert.deepEqual(boot.errors, []);
    assertEnrolledWithMetadataLabels(upResult(boot.output));

    assert.equal(await fresh.modeOf("/etc/rancher-enroll/credentials"), 0o600);
    assert.match(await fresh.read("/etc/rancher-enroll/credentials"), /^secret_key = \S+$/m);
    assert.equal(await fresh.modeOf(INSTALLED), 0o755);
    assert.ok(await fresh.modeOf("/var/lib/dpkg/info/rancher-enroll.list"), "dpkg knows the package");
    assert.equal(
      await fresh.modeOf("/var/log/apt-get.calls"),
      undefined,
      "Docker is there: nothing installed",
    );
    assert.ok(await fresh.modeOf("/var/lib/rancher-enroll/enrollment.json"), "the machine's own state file");
  });

  it("a fresh machine without Docker: installs docker.io from the distribution first", async () => {
    const bare = await machine();
    const hide = await bare.sh("rm -f $(which -a docker)", machineEnv());
    assert.equal(hide.code, 0, hide.stderr);
    const boot = await bootWithCloudInit(bare, await userData("user-data.yaml"), META_DATA, machineEnv());
    assert.equal(boot.code, 0, `${boot.stderr}\n${boot.output}`);
    assert.deepEqual((await bare.read("/var/log/apt-get.calls")).trim().split("\n"), [
      "update -q",
      "install -y -q docker.io",
    ]);
    assertEnrolledWithMetadataLabels(upResult(boot.output));
  });

  it("a download whose SHA-256 does not match is not installed, and the boot fails", async () => {
    const fresh = await machine();
    const tampered = (await userData("user-data.yaml")).replace(download().sha256, "0".repeat(64));
    const boot = await bootWithCloudInit(fresh, tampered, META_DATA, machineEnv());
    assert.notEqual(boot.code, 0);
    assert.match(boot.output, /FAILED/);
    assert.equal(await fresh.modeOf(INSTALLED), undefined, "never installed");
    assert.deepEqual(world.simulator.hosts("1a5"), []);
  });

  it("an image baked by packer/: no identity left; a machine made from it enrolls as a new host", async () => {
    const builder = await machine();
    const first = await world.cli(["up", "-o", "json"]);
    assert.equal(first.code, 0, first.stderr);
    await tryDocker(world.testbed, ["rmi", world.testbed.registryAgentImage]);

    const bake = await bakeWithPacker(builder, {
      rancher_enroll_package_url: download().url,
      rancher_enroll_sha256: download().sha256,
      agent_image: world.testbed.registryAgentImage,
    });
    assert.equal(bake.code, 0, `${bake.stdout}\n${bake.stderr}`);
    assert.deepEqual(await world.containers(), [], "no agent container in the image");
    assert.ok(await docker(world.testbed, ["image", "inspect", world.testbed.registryAgentImage]));
    assert.equal(await builder.modeOf(INSTALLED), 0o755);

    const clone = await machine(builder);
    const boot = await bootWithCloudInit(
      clone,
      await userData("user-data-baked.yaml"),
      META_DATA,
      machineEnv(),
    );
    assert.equal(boot.code, 0, `${boot.stderr}\n${boot.output}`);
    const result = upResult(boot.output);
    assert.equal(result.changed, true);
    const hosts = world.simulator.hosts("1a5");
    const firstHost = hosts.find((host) => host.id === (first.json().host as { id: string }).id)!;
    const cloneHost = hosts.find((host) => host.id === (result.host as { id: string }).id)!;
    assert.notEqual(cloneHost.id, firstHost.id);
    assert.notEqual(cloneHost.reportedUuid, firstHost.reportedUuid, "a machine identity of its own");
    assert.equal(cloneHost.state, "active");
    assert.deepEqual(ours(cloneHost.labels), METADATA_LABELS);
  });
});

describe("cloud-init user-data for Rancher 2.x", { skip }, () => {
  const { world, checksum } = usePrivateCaV3World({ installerScript: fakeInstallerScript() });
  const { machine, download } = useMachines(() => world.testbed, systemdMachine);

  it("a fresh machine joins the cluster as a worker: the private CA pinned by its checksum, the token 0600", async () => {
    const cluster = world.cluster({ active: true });
    const deb = download();
    const userData = fillIn(await readFile(repoFile("cloud-init/user-data-rancher2.yaml"), "utf8"), {
      "https://rancher.example.com": world.simulator.url,
      "CHANGE-ME-CLUSTER": cluster.name,
      "CHANGE-ME-CA-CHECKSUM": checksum,
      "CHANGE-ME-TOKEN": world.simulator.adminToken.bearer,
      "https://downloads.example.com/rancher-enroll/v0.1.0/rancher-enroll_0.1.0_amd64.deb": deb.url,
      "CHANGE-ME-SHA256": deb.sha256,
    });
    const fresh = await machine();
    const boot = await bootWithCloudInit(fresh, userData, META_DATA, machineEnv());
    assert.equal(boot.code, 0, `${boot.stderr}\n${boot.output}`);
    assert.deepEqual(boot.errors, []);

    const result = upResult(boot.output);
    const nodes = world.simulator.nodes(cluster.id);
    assert.deepEqual(
      nodes.map((node) => node.id),
      [(result.node as { id: string }).id],
    );
    assert.deepEqual([result.changed, (result.node as { state: string }).state], [true, "active"]);
    assert.equal(nodes[0]!.worker, true);
    assert.deepEqual(nodes[0]!.customConfig.label, METADATA_LABELS);
    assert.equal(await fresh.modeOf("/etc/rancher-enroll/credentials"), 0o600);
    assert.ok(!boot.output.includes(world.simulator.adminToken.secretKey), "the token stays out of the log");
  });

  it("user-data-rke2.yaml: a fresh machine joins an RKE2 cluster through rancher-system-agent, without Docker", async () => {
    const cluster = world.cluster({ kind: "rke2" });
    const deb = download();
    const userData = fillIn(await readFile(repoFile("cloud-init/user-data-rke2.yaml"), "utf8"), {
      "https://rancher.example.com": world.simulator.url,
      "CHANGE-ME-CLUSTER": cluster.name,
      "CHANGE-ME-CA-CHECKSUM": checksum,
      // The cluster's first node: it can become ready only with all three roles.
      "roles = worker": "roles = etcd,controlplane,worker",
      "CHANGE-ME-TOKEN": world.simulator.adminToken.bearer,
      "https://downloads.example.com/rancher-enroll/v0.1.0/rancher-enroll_0.1.0_amd64.deb": deb.url,
      "CHANGE-ME-SHA256": deb.sha256,
    });
    const fresh = await machine();
    const boot = await bootWithCloudInit(fresh, userData, META_DATA, machineEnv());
    assert.equal(boot.code, 0, `${boot.stderr}\n${boot.output}`);
    assert.deepEqual(boot.errors, []);

    const result = upResult(boot.output);
    assert.deepEqual([result.changed, result.serverLine], [true, "system-agent"]);
    assert.equal((result.node as { phase: string }).phase, "Running");
    const machines = world.simulator.machines(cluster.id);
    assert.equal(machines.length, 1);
    const { labels } = machines[0]!;
    assert.equal(
      labels["rke.cattle.io/machine-id"],
      (await fresh.read("/etc/rancher/agent/cattle-id")).trim(),
    );
    for (const role of ["etcd", "control-plane", "worker"])
      assert.equal(labels[`rke.cattle.io/${role}-role`], "true");
    for (const [key, value] of Object.entries(METADATA_LABELS)) assert.equal(labels[key], value);
    assert.equal(await fresh.modeOf("/usr/local/bin/rancher-system-agent"), 0o755);
    assert.equal(await fresh.modeOf("/etc/rancher-enroll/credentials"), 0o600);
    assert.equal(await fresh.modeOf("/var/log/apt-get.calls"), undefined, "no package installed: no Docker");
    assert.ok(!boot.output.includes(world.simulator.adminToken.secretKey), "the token stays out of the log");
  });
});
