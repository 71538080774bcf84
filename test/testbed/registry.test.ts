// The test bed's registry is real: it holds the fake agent image and the engine pulls it over HTTP.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { e2eTestbed } from "../support/testbed/env.js";
import { docker, resetEngine, tryDocker } from "../support/testbed/engine.js";
import type { TestbedInfo } from "../support/testbed/testbed.js";

const e2e = e2eTestbed();

describe("image registry", { skip: e2e.skip }, () => {
  let testbed: TestbedInfo;

  before(async () => {
    testbed = e2e.testbed();
    await resetEngine(testbed);
  });
  after(() => docker(testbed, ["tag", testbed.registryAgentImage, testbed.agentImage]));

  it("lists the agent image", async () => {
    const [repository, tag] = testbed.agentImage.split(":");
    const response = await fetch(`http://${testbed.registry}/v2/${repository}/tags/list`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { name: repository, tags: [tag] });
  });

  it("serves it to the engine once the engine no longer has it", async () => {
    await docker(testbed, ["rmi", testbed.agentImage, testbed.registryAgentImage]);
    const gone = await tryDocker(testbed, ["image", "inspect", testbed.registryAgentImage]);
    assert.notEqual(gone.code, 0, "the image is gone from the engine");

    const pull = await docker(testbed, ["pull", testbed.registryAgentImage]);
    assert.match(pull, /Pull complete/);
    const labels = await docker(testbed, [
      ...["image", "inspect", testbed.registryAgentImage, "--format"],
      '{{index .Config.Labels "io.rancher.container.system"}} {{json .Config.Entrypoint}}',
    ]);
    assert.equal(labels, 'rancher-agent ["/run.sh"]');
  });
});
