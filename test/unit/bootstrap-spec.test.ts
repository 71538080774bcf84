import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "shell-quote";
import {
  bootstrapSpec,
  dockerRunCommand,
  encodeLabels,
  serverCommandEnv,
} from "../../src/agents/bootstrap-spec.js";

const url = "http://srv:8080/v1/scripts/71FF294EA7A2B6865708:1483142400000:8OVFmSEUlS2VXvVGbYCXTFaMC8w";
const registration = {
  id: "1c3",
  secret: "71FF294EA7A2B6865708:1483142400000:8OVFmSEUlS2VXvVGbYCXTFaMC8w",
  url,
  image: "rancher/agent:v1.2.11",
  command: `sudo docker run --rm --privileged -v /var/run/docker.sock:/var/run/docker.sock -v /var/lib/rancher:/var/lib/rancher rancher/agent:v1.2.11 ${url}`,
};

test("the bootstrap container is the server's command: privileged, two binds, the URL as its argument", () => {
  const spec = bootstrapSpec(registration, { labels: {} }, {});
  assert.equal(spec.image, "rancher/agent:v1.2.11");
  assert.deepEqual(spec.cmd, [url]);
  assert.equal(spec.privileged, true);
  assert.deepEqual(spec.binds, [
    "/var/run/docker.sock:/var/run/docker.sock",
    "/var/lib/rancher:/var/lib/rancher",
  ]);
  assert.deepEqual(spec.env, []);
});

test("agent IP, URL-encoded labels, proxy variables and the server's CA_FINGERPRINT are passed", () => {
  const withCa = {
    ...registration,
    command: registration.command.replace("--privileged ", '--privileged -e CA_FINGERPRINT="AB:CD:EF" '),
  };
  const spec = bootstrapSpec(
    withCa,
    { address: "10.0.0.7", labels: { role: "web", "a b": "x&y=z" } },
    {
      HTTPS_PROXY: "http://proxy:3128",
      no_proxy: "srv",
      RANCHER_SECRET_KEY: "never",
    },
  );
  assert.deepEqual(spec.env.sort(), [
    "CATTLE_AGENT_IP=10.0.0.7",
    "CATTLE_HOST_LABELS=role=web&a%20b=x%26y%3Dz",
    "CA_FINGERPRINT=AB:CD:EF",
    "HTTPS_PROXY=http://proxy:3128",
    "no_proxy=srv",
  ]);
});

test("the server command's -e options are read whatever their spelling", () => {
  assert.deepEqual(serverCommandEnv(`docker run -e A=1 --env B="two words" --env=C=3 -e 'D=x=y' img url`), {
    A: "1",
    B: "two words",
    C: "3",
    D: "x=y",
  });
});

test("labels are encoded like the Rancher UI does", () => {
  assert.equal(encodeLabels({ k1: "v1", "k 2": "v&2" }), "k1=v1&k%202=v%262");
});

test("the dry-run command is a docker run line a shell reads back to the same words", () => {
  const spec = bootstrapSpec(registration, { labels: { role: "a b", quote: "it's" } }, {});
  assert.deepEqual(parse(dockerRunCommand(spec)).slice(4, 6), [
    "-e",
    "CATTLE_HOST_LABELS=role=a%20b&quote=it's",
  ]);
  const plain = bootstrapSpec(registration, { labels: { role: "a b" } }, {});
  assert.equal(
    dockerRunCommand(plain),
    `docker run --rm --privileged -e CATTLE_HOST_LABELS=role=a%20b -v /var/run/docker.sock:/var/run/docker.sock -v /var/lib/rancher:/var/lib/rancher rancher/agent:v1.2.11 ${url}`,
  );
});
