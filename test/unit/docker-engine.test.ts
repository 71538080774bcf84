// The Docker engine side, against a fake engine on a Unix socket (or none): what is waited for and what ends at
// once, Docker's raw errors said in words, and a one-shot container whose log stream fails or never ends.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, beforeEach, describe, test } from "node:test";
import { pino } from "pino";
import { BootstrapAgent } from "../../src/agents/bootstrap-agent.js";
import { Deadline } from "../../src/deadline.js";
import { outputText } from "../../src/docker/containers.js";
import { connectDocker, dockerError, waitForDaemon } from "../../src/docker/engine.js";
import { pullImage } from "../../src/docker/image.js";
import { runToCompletion, type OneShotSpec } from "../../src/docker/one-shot.js";
import { EnrollError } from "../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "rancher-enroll-engine-"));
const servers: Server[] = [];
// A socket of its own for each test: a client may still hold a kept-alive connection to the last test's engine.
let socket = "";
let sockets = 0;
function useNewSocket(): void {
  socket = join(dir, `docker-${(sockets += 1)}.sock`);
  process.env.DOCKER_HOST = `unix://${socket}`;
}
beforeEach(useNewSocket);
afterEach(() => Promise.all(servers.splice(0).map((server) => closeServer(server))));
after(() => rmSync(dir, { recursive: true, force: true }));

type Route = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

/** A fake engine: each request goes to the first route whose "METHOD /path" prefix matches. */
function fakeEngine(routes: Record<string, Route>): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const path = (req.url ?? "").replace(/^\/v[\d.]+/, "");
      const key = Object.keys(routes).find((route) => `${req.method} ${path}`.startsWith(route));
      if (key) routes[key]!(req, res, Buffer.concat(chunks));
      else res.writeHead(404).end(`no route for ${req.method} ${path}`);
    });
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(socket, () => resolve(server)));
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

const logged: string[] = [];
const log = pino({ level: "info" }, { write: (line: string) => logged.push(JSON.parse(line).msg) });

async function elapsed<T>(work: Promise<T>): Promise<{ ms: number; outcome: T | unknown }> {
  const started = Date.now();
  const outcome = await work.catch((error: unknown) => error);
  return { ms: Date.now() - started, outcome };
}

function assertDockerError(outcome: unknown, message: RegExp, hint?: RegExp): void {
  assert.ok(outcome instanceof EnrollError, `an EnrollError, not ${String(outcome)}`);
  assert.equal(outcome.exitCode, 5);
  assert.match(outcome.message, message);
  if (hint) assert.match(outcome.hint ?? "", hint);
  assert.doesNotMatch(outcome.message, /ENOENT|HTTP code/);
}

describe("waiting for the Docker engine", () => {
  test("a socket that does not exist, at a terminal: said at once, exit 5, what to do", async () => {
    const { ms, outcome } = await elapsed(waitForDaemon(connectDocker(), new Deadline(600), 60, log, true));
    assert.ok(ms < 1000, `${ms} ms`);
    assertDockerError(
      outcome,
      new RegExp(`^there is no Docker engine at unix://${socket}: the socket ${socket} does not exist$`),
      /systemctl start docker/,
    );
  });

  test("a socket that does not exist, at boot (no terminal): said at once, then waited for until it appears", async () => {
    logged.length = 0;
    setTimeout(() => void fakeEngine({ "GET /_ping": (_, res) => res.end("OK") }), 1500);
    const { outcome } = await elapsed(waitForDaemon(connectDocker(), new Deadline(600), 30, log, false));
    assert.equal(outcome, undefined);
    assert.equal(logged.length, 1);
    assert.match(
      logged[0]!,
      /^there is no Docker engine at unix:\/\/.*: the socket .* does not exist; waiting for it until \d\d:\d\d:\d\d \(--wait-for-docker 30\); Ctrl-C to stop$/,
    );
  });

  test("a socket that does not exist, at boot, for longer than the wait: exit 5, how long and how often", async () => {
    const { outcome } = await elapsed(waitForDaemon(connectDocker(), new Deadline(600), 1, log, false));
    assertDockerError(outcome, /does not exist \(waited 1 s, \d+ attempts\)$/);
  });

  test("an engine that never answers: each ping is capped by the command's deadline, not 5 s", async () => {
    await fakeEngine({ "GET /_ping": () => undefined });
    const { ms, outcome } = await elapsed(waitForDaemon(connectDocker(), new Deadline(1), 60, log, true));
    assert.ok(ms < 4000, `${ms} ms, not the 5 s of a ping of its own`);
    assertDockerError(outcome, /^the Docker engine at unix:\/\/.* does not answer \(no answer within 1 s\)/);
  });
});

describe("Docker's errors, in words", () => {
  test('a pull answered "(HTTP code 404) unexpected - manifest unknown": the image, what the engine said, what to do', async () => {
    await fakeEngine({
      "POST /images/create": (_, res) => res.writeHead(404).end("manifest unknown"),
    });
    const { outcome } = await elapsed(pullImage(connectDocker(), "rancher/agent:v9.9.9", () => undefined));
    assertDockerError(
      outcome,
      /^cannot pull image rancher\/agent:v9\.9\.9: the registry has no such image, or refuses it to this machine \(the engine said: manifest unknown\)$/,
      /Check the image's name and tag/,
    );
  });

  test("a pull whose stream reports an error: said as the engine's report, not as an engine that does not answer", async () => {
    const events = (error: string) =>
      [
        { status: "Pulling from rancher/agent", id: "v9" },
        { error, errorDetail: { message: error } },
      ]
        .map((event) => `${JSON.stringify(event)}\r\n`)
        .join("");
    const cases: [string, RegExp][] = [
      [
        "unauthorized: authentication required",
        /^cannot pull image x: the registry refused the image to this machine \(the engine said: unauthorized: authentication required\)$/,
      ],
      [
        "write /var/lib/docker/tmp/x: no space left on device",
        /^cannot pull image x: the Docker engine at unix:\/\/\S+ reported: write .*: no space left on device$/,
      ],
    ];
    for (const [error, message] of cases) {
      useNewSocket();
      await fakeEngine({ "POST /images/create": (_, res) => res.end(events(error)) });
      const { outcome } = await elapsed(pullImage(connectDocker(), "x", () => undefined));
      assertDockerError(outcome, message);
    }
  });

  test("permission denied on the socket, or an engine host that does not resolve: said in words", () => {
    const failure = (code: string) => Object.assign(new Error(`connect ${code} x`), { code });
    assertDockerError(
      dockerError("cannot list containers", failure("EACCES")),
      /this user may not use/,
      /docker group/,
    );
    assertDockerError(
      dockerError("cannot list containers", failure("ENOTFOUND")),
      /does not resolve/,
      /DOCKER_HOST/,
    );
  });
});

/** One frame of the engine's multiplexed log stream (stdout). */
function frame(text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header.writeUInt8(1, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe("a one-shot container", () => {
  const spec: OneShotSpec = {
    image: "agent",
    entrypoint: ["mv", "-f", "/etc/x.new", "/etc/x"],
    cmd: [],
    env: [],
    binds: [],
    privileged: false,
    labels: {},
    files: [{ path: "/etc/x.new", content: "-----BEGIN CERTIFICATE-----\nabc\n", mode: 0o644 }],
  };
  const container = (logs: Route, exitAfterMs = 50): Record<string, Route> => ({
    "POST /containers/create": (_, res) => res.writeHead(201).end(JSON.stringify({ Id: "c0ffee" })),
    "POST /containers/c0ffee/start": (_, res) => res.writeHead(204).end(),
    "PUT /containers/c0ffee/archive": (_, res) => res.writeHead(200).end(),
    "GET /containers/c0ffee/logs": logs,
    "POST /containers/c0ffee/wait": (_, res) =>
      setTimeout(() => res.end(JSON.stringify({ StatusCode: 3 })), exitAfterMs),
    "DELETE /containers/c0ffee": (_, res) => res.writeHead(204).end(),
  });

  test("files go by the archive API before the start; the log stream failing ends the output, not the run", async () => {
    const created: string[] = [];
    const archive = join(dir, "archive.tar");
    await fakeEngine({
      ...container((_, res) => {
        res.writeHead(200, { "Content-Type": "application/vnd.docker.raw-stream" });
        res.write(frame("hello\n"));
        setTimeout(() => res.socket?.destroy(), 20);
      }),
      "POST /containers/create": (req, res, body) => {
        created.push(`${req.url} ${body.toString()}`);
        res.writeHead(201).end(JSON.stringify({ Id: "c0ffee" }));
      },
      "PUT /containers/c0ffee/archive": (req, res, body) => {
        assert.match(req.url ?? "", /path=%2F/);
        writeFileSync(archive, body);
        res.writeHead(200).end();
      },
    });
    const run = await runToCompletion(connectDocker(), spec, new Deadline(10), () => undefined);
    assert.equal(run.exitCode, 3);
    assert.equal(run.output[0], "hello");
    assert.match(run.output[1] ?? "", /^\(the container's output was cut short: /);
    assert.doesNotMatch(created.join(""), /BEGIN/);
    const extracted = join(dir, "extracted");
    execFileSync("mkdir", ["-p", extracted]);
    execFileSync("tar", ["-xf", archive, "-C", extracted]);
    assert.equal(readFileSync(join(extracted, "etc/x.new"), "utf8"), spec.files![0]!.content);
  });

  test(
    "a log stream that never ends: the run still ends with the deadline, exit 7",
    { timeout: 10_000 },
    async () => {
      await fakeEngine(
        container((_, res) => {
          res.writeHead(200, { "Content-Type": "application/vnd.docker.raw-stream" });
          res.write(frame("still talking\n"));
        }),
      );
      const { ms, outcome } = await elapsed(
        runToCompletion(connectDocker(), spec, new Deadline(1), () => undefined),
      );
      assert.ok(ms < 3000, `${ms} ms`);
      assert.ok(outcome instanceof EnrollError);
      assert.equal(outcome.exitCode, 7);
      assert.match(outcome.message, /^the output of container c0ffee did not end after it exited/);
    },
  );
});

describe("the 1.6 agent's purge (down --purge), through the engine only", () => {
  const machine = () => ({
    docker: connectDocker(),
    log,
    waitForDockerSeconds: 5,
    onPullProgress: () => undefined,
  });
  const image = "rancher/agent:v1.2.11";
  const asked: string[] = [];
  const engine = (exitCode: number, imagePresent: boolean): Record<string, Route> => ({
    "GET /images/json": (_, res) => res.end(JSON.stringify(imagePresent ? [{ RepoTags: [image] }] : [])),
    [`GET /images/${image}/json`]: (_, res) =>
      imagePresent ? res.end(JSON.stringify({ Id: "sha256:1" })) : res.writeHead(404).end("{}"),
    "DELETE /volumes/": (req, res) => {
      asked.push(`${req.method} ${req.url}`);
      res.writeHead(204).end();
    },
    "POST /containers/create": (_, res) => res.writeHead(201).end(JSON.stringify({ Id: "c1ea4" })),
    "POST /containers/c1ea4/start": (_, res) => res.writeHead(204).end(),
    "GET /containers/c1ea4/logs": (_, res) => {
      res.writeHead(200, { "Content-Type": "application/vnd.docker.raw-stream" });
      res.end(exitCode ? frame("rm: can't remove '/var/lib/rancher/state': Device or resource busy\n") : "");
    },
    "POST /containers/c1ea4/wait": (_, res) => res.end(JSON.stringify({ StatusCode: exitCode })),
    "DELETE /containers/c1ea4": (_, res) => res.writeHead(204).end(),
  });
  beforeEach(() => {
    asked.length = 0;
  });

  test("a clean-up container that fails: exit 5 saying so, the state folder not reported purged", async () => {
    await fakeEngine(engine(1, true));
    const outcome = await new BootstrapAgent(machine())
      .purge([image], new Deadline(10))
      .catch((e: unknown) => e);
    assertDockerError(outcome, /could not remove \/var\/lib\/rancher\/state \(exit code 1: rm: can't remove/);
  });

  test("no agent image anywhere: exit 5 before anything is removed, never a folder of this machine", async () => {
    await fakeEngine(engine(0, false));
    const outcome = await new BootstrapAgent(machine()).purge([], new Deadline(10)).catch((e: unknown) => e);
    assertDockerError(outcome, /no rancher\/agent image on the engine .*nothing was purged/, /docker pull/);
    assert.deepEqual(asked, [], "no volume removed");
  });

  test("a clean-up that worked: the volumes and the folder, as the engine removed them", async () => {
    await fakeEngine(engine(0, true));
    const purged = await new BootstrapAgent(machine()).purge([image], new Deadline(10));
    assert.ok(purged.includes("/var/lib/rancher/state"), purged.join());
  });
});

describe("a container's output, as the engine sends it", () => {
  const frame = (stream: number, text: string) => {
    const payload = Buffer.from(text);
    const header = Buffer.from([stream, 0, 0, 0, 0, 0, 0, 0]);
    header.writeUInt32BE(payload.length, 4);
    return Buffer.concat([header, payload]);
  };

  test("without a terminal: the frames of stdout and stderr, joined in order, their headers left out", () => {
    const raw = Buffer.concat([frame(1, "INFO: starting\n"), frame(2, "ERROR: " + "x".repeat(300) + "\n")]);
    assert.equal(outputText(raw), `INFO: starting\nERROR: ${"x".repeat(300)}\n`);
  });

  test("with a terminal: the text as it is", () => {
    assert.equal(outputText(Buffer.from("plain line\n")), "plain line\n");
  });
});
