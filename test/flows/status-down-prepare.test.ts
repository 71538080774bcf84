// `status`, `down` and `prepare` in-process over fakes of the server driver and the node agent.
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { EnrollError } from "../../src/errors.js";
import type { Connect } from "../../src/flows/connection.js";
import { down } from "../../src/flows/down.js";
import { prepare } from "../../src/flows/prepare.js";
import { resultJson } from "../../src/flows/result.js";
import { status } from "../../src/flows/status.js";
import { renderText } from "../../src/output.js";
import { up } from "../../src/flows/up.js";
import { deadline, FakeAgent, FakeServer, log, member, upSettings, world, type World } from "./fakes.js";

describe("status, down and prepare over fakes", () => {
  let w: World;
  const enroll = () =>
    up({
      settings: upSettings(),
      deadline: deadline(),
      connect: w.connect,
      agentFor: w.agentFor,
      store: w.store,
      log,
      env: {},
    });
  const check = () =>
    status({ log, deadline: deadline(), store: w.store, agentFor: w.agentFor, connect: w.connect });
  const takeDown = ({
    purge = false,
    force = false,
    connect = w.connect,
    confirm,
    seconds,
  }: {
    purge?: boolean;
    force?: boolean;
    connect?: Connect;
    confirm?: (q: string, signal: AbortSignal) => Promise<boolean>;
    seconds?: number;
  } = {}) =>
    down({
      log,
      deadline: deadline(seconds),
      store: w.store,
      agentFor: w.agentFor,
      connect,
      purge,
      force,
      ...(confirm ? { confirm } : {}),
    });

  beforeEach(async () => {
    w = await world();
  });
  afterEach(() => w.cleanup());

  describe("status", () => {
    it("a machine never enrolled: exit 10, the server never asked", async () => {
      const result = await check();
      assert.deepEqual([result.enrolled, result.exitCode], [false, 10]);
      assert.deepEqual(w.connections, []);
    });

    it("nothing recorded on a machine without an engine: exit 10 at once, the engine not waited for", async () => {
      w.agent.preflightError = new EnrollError("docker", "waited 60 s for the engine");
      w.agent.inspectError = new EnrollError(
        "docker",
        "there is no Docker engine at unix:///run/docker.sock",
      );
      const result = await check();
      assert.deepEqual([result.enrolled, result.exitCode], [false, 10]);
      assert.deepEqual(w.agent.calls, []);
    });

    it("enrolled: the machine is checked (the engine waited for) before the agent is inspected", async () => {
      await enroll();
      w.agent.preflightError = new EnrollError("docker", "waited 60 s for the engine");
      await assert.rejects(check(), { kind: "docker" });
    });

    it("enrolled and ready: exit 0, the member under the line's word", async () => {
      await enroll();
      const result = await check();
      assert.deepEqual([result.healthy, result.exitCode, result.problems], [true, 0, []]);
      const json = resultJson(result) as {
        host: { id: string };
        enrollment: { environment: object; hostId: string };
      };
      assert.equal(json.host.id, w.server.members[0]!.id);
      assert.equal(json.enrollment.hostId, json.host.id);
      assert.deepEqual(json.enrollment.environment, { id: "1a5", name: "Default" });
    });

    it("an agent that leaves once joined (2.x) and is gone: healthy while the member is ready, else missing", async () => {
      await enroll();
      w.agent.leavesOnceJoined = true;
      w.agent.state = { present: false, running: false };
      assert.deepEqual([(await check()).exitCode, (await check()).problems], [0, []]);
      w.server.members[0]!.ready = false;
      w.server.members[0]!.state = "unavailable";
      const result = await check();
      assert.equal(result.exitCode, 11);
      assert.equal(result.problems[0], "the fake agent is missing");
    });

    it("the member gone and the agent stopped: exit 11 with both problems", async () => {
      await enroll();
      const id = w.server.members[0]!.id;
      w.server.members = [];
      w.agent.state = { present: true, running: false };
      const result = await check();
      assert.equal(result.exitCode, 11);
      assert.deepEqual(result.problems, [
        "the fake agent is stopped",
        `host ${id} no longer exists on the server`,
      ]);
      assert.equal((resultJson(result) as { host: unknown }).host, null);
    });

    it("no settings for the server: the local facts, what was not checked and why, exit 12", async () => {
      await enroll();
      const id = w.server.members[0]!.id;
      const noSettings = async () => {
        throw new EnrollError("usage", "the API credentials are not set", "Set RANCHER_TOKEN, …");
      };
      const result = await status({
        log,
        deadline: deadline(),
        store: w.store,
        agentFor: w.agentFor,
        connect: noSettings,
      });
      assert.deepEqual([result.exitCode, result.healthy, result.problems], [12, false, []]);
      assert.deepEqual(result.unchecked, {
        what: `host ${id} on the server`,
        kind: "usage",
        exitCode: 2,
        message: "the API credentials are not set",
        hint: "Set RANCHER_TOKEN, …",
      });
      assert.equal(result.enrollment?.memberId, id);
      assert.match(
        renderText(result),
        new RegExp(`not checked: the host ${id} on the server: the API credentials are not set`),
      );
      w.agent.state = { present: true, running: false };
      w.server.unreachable = true;
      const stopped = await check();
      assert.deepEqual(
        [stopped.exitCode, stopped.problems],
        [11, ["the fake agent is stopped"]],
        "a known problem wins",
      );
      assert.equal(stopped.unchecked?.kind, "server");
    });

    it("a member not ready: says its state and why", async () => {
      await enroll();
      w.server.members[0] = member(w.server.members[0]!.id, {
        ready: false,
        state: "reconnecting",
        waiting: "agent gone",
      });
      const result = await check();
      assert.deepEqual(result.problems, [`host ${w.server.members[0]!.id} is reconnecting (agent gone)`]);
    });
  });

  describe("down", () => {
    it("removes the member and the members of the same identity, then the agent and the record", async () => {
      await enroll();
      const [ours] = w.server.members;
      w.server.members = [
        member(ours!.id, { identity: "1a20" }),
        member("1h7", { identity: "1a20" }),
        member("1h8", { identity: "1a99" }),
      ];
      const record = (await w.store.read())!;
      await w.store.write({ ...record, identity: "1a20" });
      const result = await takeDown();
      assert.deepEqual(result.removedMembers, [ours!.id, "1h7"]);
      assert.deepEqual(
        w.server.members.map((m) => m.id),
        ["1h8"],
      );
      assert.deepEqual(w.agent.changes(["stop", "remove", "purge"]), ["stop", "remove"]);
      assert.equal(await w.store.read(), undefined);
      assert.deepEqual(Object.keys(resultJson(result)).includes("removedHosts"), true);
    });

    it("an up interrupted before its member was confirmed: the member of the identity the agent reported goes", async () => {
      await enroll();
      const record = { ...(await w.store.read())!, memberId: undefined };
      w.server.members = [
        member("m-ours", { identity: "machine-id-1" }),
        member("m-other", { identity: "x" }),
      ];
      await w.store.write({ ...record, identity: "machine-id-1" });
      const result = await takeDown();
      assert.deepEqual(result.removedMembers, ["m-ours"]);
      assert.deepEqual(
        w.server.members.map((m) => m.id),
        ["m-other"],
      );
      assert.equal(await w.store.read(), undefined);
    });

    it("not enrolled: a no-op that never asks the server", async () => {
      const result = await takeDown();
      assert.equal(result.changed, false);
      assert.deepEqual(w.connections, []);
      assert.deepEqual(w.agent.changes(["stop", "remove"]), []);
    });

    it("not enrolled, on a machine without an engine: a no-op at once, the engine not waited for", async () => {
      w.agent.preflightError = new EnrollError("docker", "waited 60 s for the engine");
      w.agent.inspectError = new EnrollError(
        "docker",
        "there is no Docker engine at unix:///run/docker.sock",
      );
      const result = await takeDown();
      assert.equal(result.changed, false);
      assert.deepEqual(w.agent.calls, []);
    });

    it("the server unreachable: nothing changes, the agent and the record stay, the error says so", async () => {
      await enroll();
      const id = w.server.members[0]!.id;
      const record = await w.store.read();
      w.server.unreachable = true;
      await assert.rejects(takeDown(), (error: EnrollError) => {
        assert.equal(error.kind, "server");
        assert.match(
          error.message,
          new RegExp(
            `^cannot take host ${id} in environment Default \\(1a5\\) of .*: cannot reach .*; nothing was changed$`,
          ),
        );
        assert.match(error.hint ?? "", /down --force/);
        return true;
      });
      assert.deepEqual(w.agent.changes(["stop", "remove"]), []);
      assert.deepEqual(await w.store.read(), record);
      w.server.unreachable = false;
      assert.deepEqual((await takeDown()).removedMembers, [id], "down again, with the server back, finishes");
      assert.equal(await w.store.read(), undefined);
    });

    it("settings that do not resolve (no credentials): nothing changes", async () => {
      await enroll();
      const noSettings = async () => {
        throw new EnrollError("usage", "the API credentials are not set");
      };
      await assert.rejects(takeDown({ connect: noSettings }), { kind: "usage" });
      assert.deepEqual(w.agent.changes(["stop", "remove"]), []);
      assert.notEqual(await w.store.read(), undefined);
    });

    it("the server fails half-way: the agent is stopped, its container and the record kept", async () => {
      await enroll();
      const id = w.server.members[0]!.id;
      w.server.failRemoval = true;
      await assert.rejects(takeDown(), (error: EnrollError) => {
        assert.match(error.message, new RegExp(`^host ${id} .* could not be removed from the server`));
        return true;
      });
      assert.deepEqual(w.agent.changes(["stop", "remove"]), ["stop"]);
      assert.notEqual(await w.store.read(), undefined);
      w.server.failRemoval = false;
      assert.deepEqual((await takeDown()).removedMembers, [id]);
    });

    it("--force with the server unreachable: the local part is done, the result says what is left", async () => {
      await enroll();
      const id = w.server.members[0]!.id;
      w.server.unreachable = true;
      const result = await takeDown({ force: true });
      assert.deepEqual(result.removedMembers, []);
      assert.deepEqual(result.leftOnServer, [
        `host ${id} in environment Default (1a5) of https://rancher.test`,
      ]);
      assert.deepEqual(w.agent.changes(["stop", "remove"]), ["stop", "remove"]);
      assert.equal(await w.store.read(), undefined);
      assert.match(renderText(result), new RegExp(`left on the server: host ${id} .*Rancher UI`));
    });

    it("a damaged enrollment record: its own message (what file, what is wrong, what to do), nothing changed", async () => {
      await enroll();
      for (const [text, wrong] of [
        ["{not json", /it is not JSON/],
        ["null", /expected an object, got null/],
        ['{"version": 2, "serverLine": "cattle"}', /server: expected a string, got nothing/],
        ['{"version": 9}', /version: expected one of 2/],
      ] as const) {
        writeFileSync(w.store.file, text);
        for (const run of [check, enroll, () => takeDown()]) {
          await assert.rejects(run(), (error: EnrollError) => {
            assert.equal(error.exitCode, 2, error.message);
            assert.match(error.message, new RegExp(`enrollment record ${w.store.file} is damaged: `));
            assert.match(error.message, wrong);
            assert.match(error.hint ?? "", /down --force.*or remove .*enrollment\.json/);
            return true;
          });
        }
      }
      assert.deepEqual(w.agent.changes(["stop", "remove"]), []);
    });

    it("--force with a damaged record: the agent and the record go, the member stays", async () => {
      await enroll();
      writeFileSync(w.store.file, "{not json");
      const result = await takeDown({ force: true });
      assert.deepEqual(result.removedContainers, ["rancher-agent"]);
      assert.equal(existsSync(w.store.file), false);
      assert.equal(w.server.members.length, 1);
    });

    it("asked first: says everything it will do, and a no changes nothing", async () => {
      await enroll();
      const id = w.server.members[0]!.id;
      const asked: string[] = [];
      const answer = (yes: boolean) => async (question: string) => {
        asked.push(question);
        return yes;
      };
      await assert.rejects(takeDown({ confirm: answer(false), purge: true }), {
        kind: "usage",
        message: "down cancelled: nothing was changed",
      });
      assert.deepEqual(asked, [
        `This will remove host ${id} from environment Default (1a5) of https://rancher.test, remove the fake agent, ` +
          "forget this machine's identity and forget the enrollment. Proceed?",
      ]);
      assert.deepEqual(w.agent.changes(["stop", "remove", "purge"]), []);
      assert.deepEqual(w.server.changes(["removeMember"]), []);
      assert.notEqual(await w.store.read(), undefined);
      assert.deepEqual((await takeDown({ confirm: answer(true) })).removedMembers, [id]);
    });

    it("asked: nobody answers, and the question ends with --timeout; no lock is held while it waits", async () => {
      await enroll();
      const record = await w.store.read();
      let lockedWhileAsked: boolean | undefined;
      const nobody = (_: string, signal: AbortSignal) => {
        lockedWhileAsked = existsSync(join(w.store.dir, "lock"));
        return new Promise<boolean>((_, reject) =>
          signal.addEventListener("abort", () => reject(signal.reason)),
        );
      };
      const started = Date.now();
      await assert.rejects(takeDown({ confirm: nobody, seconds: 1 }), {
        kind: "timeout",
        message: "no answer to down's question within --timeout (1 s): nothing was changed",
      });
      assert.ok(Date.now() - started < 3000, "ended at the deadline");
      assert.equal(lockedWhileAsked, false, "the lock is taken only after the answer");
      assert.deepEqual(w.agent.changes(["stop", "remove"]), []);
      assert.deepEqual(await w.store.read(), record);
    });

    it("asked: a yes counts only if the record still names what was asked about", async () => {
      await enroll();
      const record = (await w.store.read())!;
      const changedMeanwhile = async () => {
        await w.store.write({ ...record, memberId: "1h999" });
        return true;
      };
      await assert.rejects(takeDown({ confirm: changedMeanwhile }), {
        kind: "usage",
        message: /^the enrollment changed while down waited for the answer .*: nothing was changed$/,
      });
      assert.deepEqual(w.agent.changes(["stop", "remove"]), []);
      assert.deepEqual(w.server.changes(["removeMember"]), []);
      const takenDownMeanwhile = async () => {
        await w.store.remove();
        await w.agent.remove();
        return true;
      };
      const result = await takeDown({ confirm: takenDownMeanwhile });
      assert.deepEqual([result.changed, result.removedMembers], [false, []]);
    });

    it("--purge: forgets the machine's identity too", async () => {
      await enroll();
      const result = await takeDown({ purge: true });
      assert.deepEqual(result.purged, ["/var/lib/rancher/state"]);
    });
  });

  describe("prepare", () => {
    const prepared = (fields: { agentImage?: string; server?: boolean; clean?: boolean }) =>
      prepare({
        log,
        deadline: deadline(),
        store: w.store,
        agentFor: w.agentFor,
        ...(fields.server ? { connect: w.connect } : {}),
        ...(fields.agentImage ? { agentImage: fields.agentImage } : {}),
        clean: fields.clean ?? false,
      });

    it("the named image: pulled, the server never asked", async () => {
      const result = await prepared({ agentImage: "agent:2" });
      assert.deepEqual([result.image, result.imagePulled], ["agent:2", true]);
      assert.deepEqual(w.connections, []);
    });

    it("the server's image: asked for, no registration token made", async () => {
      const result = await prepared({ server: true });
      assert.equal(result.image, "agent:from-server");
      assert.deepEqual(w.server.changes(["obtainJoin"]), []);
      assert.equal(w.server.tokens.length, 0);
    });

    it("a target whose agent runs from no image (the system agent): nothing pulled, --clean still done", async () => {
      await enroll();
      w.server.agentImage = async () => null;
      const result = await prepared({ server: true, clean: true });
      assert.deepEqual([result.image, result.imagePulled], [undefined, false]);
      assert.deepEqual(w.agent.changes(["prefetch"]), []);
      assert.deepEqual(result.purged, ["/var/lib/rancher/state", w.store.file]);
    });

    it("--cluster of a cluster that joins through the system agent: only its agent checks the machine, once found", async () => {
      const systemAgent = new FakeServer("system-agent");
      systemAgent.agentImage = async () => null;
      w.server.handOver = systemAgent;
      const agent = new FakeAgent(systemAgent, "system-agent");
      const asked: (string | undefined)[] = [];
      const result = await prepare({
        log,
        deadline: deadline(),
        store: w.store,
        agentFor: async (line) => {
          asked.push(line);
          return line === "system-agent" ? agent : w.agent;
        },
        connect: w.connect,
        wanted: { nameOrId: "Default", word: "cluster" },
        clean: false,
      });
      assert.deepEqual(asked, ["system-agent"], "no Docker agent checked a machine that may have no Docker");
      assert.deepEqual(agent.calls, ["preflight"]);
      assert.deepEqual([result.image, result.imagePulled, result.changed], [undefined, false, false]);
    });

    it("--clean: the agent, its identity and our record go", async () => {
      await enroll();
      const result = await prepared({ clean: true });
      assert.deepEqual(result.removedContainers, ["rancher-agent"]);
      assert.deepEqual(result.purged, ["/var/lib/rancher/state", w.store.file]);
      assert.equal(await w.store.read(), undefined);
    });

    it("nothing asked: a usage error", async () => {
      await assert.rejects(prepared({}), { kind: "usage" });
    });
  });
});
