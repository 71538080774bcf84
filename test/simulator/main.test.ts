import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { basicAuth } from "./helpers.js";

const MAIN = fileURLToPath(new URL("../support/simulator/main.ts", import.meta.url));

describe("simulator: standalone entry", () => {
  it("prints url and default keys as one JSON line, serves the API and stops on SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", MAIN, "--port", "0", "--public-url", "rancher.test:8080"],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
      const info = JSON.parse(line);
      assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(info.projectId, "1a5");
      const { accessKey, secretKey } = info.environmentKey;
      const auth = basicAuth({ user: accessKey, password: secretKey });
      const res = await fetch(`${info.url}/v2-beta/projects`, { headers: { Authorization: auth } });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { data: { id: string }[] }).data[0]?.id, "1a5");
      const state = (await (await fetch(`${info.url}/_sim/state`)).json()) as { publicUrl: string };
      assert.equal(state.publicUrl, "http://rancher.test:8080");
    } finally {
      child.kill("SIGTERM");
    }
    const [code] = (await once(child, "exit")) as [number | null];
    assert.equal(code, 0);
  });

  it("--line v3 starts the 2.x simulator: url, version, bearer token and clusters", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, "--line", "v3", "--version", "v2.6.14"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
      const info = JSON.parse(line);
      assert.equal(info.version, "v2.6.14");
      assert.deepEqual(
        info.clusters.map((c: { name: string }) => c.name),
        ["dev-rke1", "dev-rke2"],
      );
      const res = await fetch(`${info.url}/v3/clusters?name=dev-rke1`, {
        headers: { Authorization: `Bearer ${info.token}` },
      });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { data: { id: string }[] }).data[0]?.id, info.clusters[0].id);
    } finally {
      child.kill("SIGTERM");
    }
    const [code] = (await once(child, "exit")) as [number | null];
    assert.equal(code, 0);
  });
});
