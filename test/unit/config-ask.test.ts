import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { ask, choose, confirm, type Question } from "../../src/config/ask.js";
import { EnrollError } from "../../src/errors.js";

/** A terminal whose user types each answer once its prompt is shown, as a person would; `shown` without escapes. */
function terminal(answers: string[]) {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = "";
  let prompts = 0;
  output.on("data", (chunk: Buffer) => {
    shown += chunk.toString();
    const seen = shown.split(": ").length - 1;
    while (prompts < seen) {
      const answer = answers[prompts++];
      if (answer === undefined) input.end();
      else setImmediate(() => input.write(`${answer}\r`));
    }
  });
  // eslint-disable-next-line no-control-regex
  const plain = () => shown.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").replace(/\r/g, "");
  return { input, output, shown: plain, interrupted: "interrupted: nothing was written" };
}

const QUESTIONS: Question[] = [
  { prompt: "Rancher server URL", current: "http://old" },
  { prompt: "API secret key", current: "****", secret: true },
  { prompt: "Target environment" },
];

test("asks in order, shows the current values, and does not echo a secret", async () => {
  const tty = terminal(["http://new:8080", "s3cret-typed", ""]);
  const answers = await ask(QUESTIONS, tty);
  assert.deepEqual(answers, ["http://new:8080", "s3cret-typed", ""]);
  assert.match(tty.shown(), /Rancher server URL \[http:\/\/old\]: http:\/\/new:8080/);
  assert.match(tty.shown(), /API secret key \[\*\*\*\*\]: \n/);
  assert.ok(!tty.shown().includes("s3cret"), "the secret is not echoed");
});

test("asks again after an answer its check rejects", async () => {
  const tty = terminal(["ftp://x", "http://ok"]);
  const check = (answer: string) => {
    if (!answer.startsWith("http")) throw new EnrollError("usage", "not http", "Use http://");
  };
  assert.deepEqual(await ask([{ prompt: "URL", check }], tty), ["http://ok"]);
  assert.match(tty.shown(), /not http\n {2}Use http:\/\/\n/);
});

test("input that ends early is a usage error", async () => {
  await assert.rejects(
    ask(QUESTIONS, terminal(["http://x"])),
    /input ended before every question was answered/,
  );
});

test("a yes-or-no question: only y or yes says yes, an empty answer says no", async () => {
  for (const [typed, expected] of [
    ["y", true],
    ["YES", true],
    ["", false],
    ["n", false],
    ["yep", false],
  ] as const) {
    const tty = terminal([typed]);
    assert.equal(await confirm("Remove it?", tty), expected, typed);
    assert.match(tty.shown(), /^Remove it\? \[y\/N\]: /);
  }
});

test("a numbered choice: the list, then the number; out of range or empty asks again", async () => {
  const tty = terminal(["", "3", "0", "two", "2"]);
  assert.equal(await choose("Which environment", ["Default (1a5)", "Staging (1a7)"], tty), 1);
  assert.match(tty.shown(), /^1 {2}Default \(1a5\)\n2 {2}Staging \(1a7\)\nWhich environment \(1-2\): /);
  assert.equal(tty.shown().split("Which environment (1-2): ").length - 1, 5, "asked five times");
  assert.match(tty.shown(), /3 is not a number from 1 to 2\n/);
  assert.match(tty.shown(), /two is not a number from 1 to 2\n/);
});

test("a numbered choice of one: an empty answer takes it", async () => {
  const tty = terminal([""]);
  assert.equal(await choose("Which cluster", ["dev-rke2 (c-m-abc)"], tty), 0);
  assert.match(tty.shown(), /^1 {2}dev-rke2 \(c-m-abc\)\nWhich cluster \(1\) \[1\]: /);
});
