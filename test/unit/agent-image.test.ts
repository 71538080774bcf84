// Which line's agent an image is, for `prepare` without a server: by its repository, whatever the registry and tag.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lineOfAgentImage } from "../../src/agents/agent-image.js";

describe("the line of an agent image", () => {
  it("rancher/rancher-agent is 2.x's, rancher/agent 1.6's, from any registry, by tag or digest", () => {
    assert.equal(lineOfAgentImage("rancher/rancher-agent:v2.8.15"), "v3");
    assert.equal(lineOfAgentImage("registry.example.com:5000/rancher/rancher-agent:v2.8.15"), "v3");
    assert.equal(lineOfAgentImage("rancher/rancher-agent@sha256:0123abcd"), "v3");
    assert.equal(lineOfAgentImage("rancher/agent:v1.2.11"), "cattle");
    assert.equal(lineOfAgentImage("127.0.0.1:5000/rancher/agent"), "cattle");
  });

  it("any other image tells nothing", () => {
    for (const image of [
      "rancher/rancher:v2.8.15",
      "example/rancher-agent:v1",
      "myrancher/agent:v1",
      "busybox",
    ])
      assert.equal(lineOfAgentImage(image), undefined, image);
  });
});
