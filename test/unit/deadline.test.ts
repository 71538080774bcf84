// The pace of a wait: soon after the request that set it going, then less often, never past the deadline.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Deadline, SERVER_PACE, gaps } from "../../src/deadline.js";
import { EnrollError } from "../../src/errors.js";

function first(count: number, pace: Parameters<typeof gaps>[0]): number[] {
  const next = gaps(pace);
  return Array.from({ length: count }, () => next.next().value);
}

describe("the pace of a wait", () => {
  it("looks again soon at first, then each gap a quarter longer than the last, up to the longest", () => {
    assert.deepEqual(first(8, { firstMs: 100, maxMs: 300 }), [100, 125, 156, 195, 244, 300, 300, 300]);
  });

  it("a number is a fixed gap", () => {
    assert.deepEqual(first(3, 1000), [1000, 1000, 1000]);
  });

  it("waiting on the server, what happens after t is seen by about t + t/4", () => {
    const looks = first(30, SERVER_PACE).reduce<number[]>((at, gap) => [...at, at.at(-1)! + gap], [0]);
    for (const happens of [300, 500, 1000, 3000]) {
      const seen = looks.find((at) => at >= happens)!;
      assert.ok(
        seen - happens <= Math.max(100, happens / 4),
        `what happens at ${happens} ms is seen at ${seen}`,
      );
    }
    assert.equal(first(20, SERVER_PACE).at(-1), 2000, "and not more often than every 2 s in a long wait");
  });

  it("polls at its pace until the probe answers, and stops at the deadline with what onExpiry says", async () => {
    const deadline = new Deadline(1);
    let probes = 0;
    const answer = await deadline.poll(
      { firstMs: 10, maxMs: 20 },
      async () => (++probes === 3 ? "ready" : undefined),
      () => "never",
    );
    assert.deepEqual([answer, probes], ["ready", 3]);
    await assert.rejects(
      new Deadline(0.2).poll(
        SERVER_PACE,
        async () => undefined,
        () => "the thing did not happen",
      ),
      (error: Error) => /the thing did not happen \(gave up after 0.2 s\)/.test(error.message),
    );
  });

  it("a probe that saw progress starts the pace over: the next look comes soon again", async () => {
    const looks: number[] = [];
    await new Deadline(10).poll(
      { firstMs: 50, maxMs: 1000 },
      async (pacing) => {
        looks.push(Date.now());
        if (looks.length === 8) pacing.restart();
        return looks.length === 9 ? "done" : undefined;
      },
      () => "never",
    );
    const [beforeRestart, afterRestart] = [looks[7]! - looks[6]!, looks[8]! - looks[7]!];
    assert.ok(beforeRestart >= 190, `the 7th gap is 50 ms × 1.25⁶ (${beforeRestart} ms)`);
    assert.ok(
      afterRestart < beforeRestart / 2,
      `after the restart: ${afterRestart} ms, before: ${beforeRestart} ms`,
    );
  });

  it("a request the deadline cut short ends the wait with what it waited for; a wait within it keeps its words", async () => {
    const deadline = new Deadline(0.1);
    const slowRequest = async () => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      throw deadline.cutShort("GET /nodes got no answer");
    };
    await assert.rejects(
      deadline.poll(SERVER_PACE, slowRequest, () => "node n1 did not become active"),
      (error: EnrollError) =>
        error.kind === "timeout" && /^node n1 did not become active/.test(error.message),
    );
    const innerWait = async () => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      throw deadline.timeout("the token has no node command yet");
    };
    await assert.rejects(
      deadline.poll(SERVER_PACE, innerWait, () => "outer"),
      /the token has no node command yet \(gave up after 0.1 s\)/,
    );
  });
});
