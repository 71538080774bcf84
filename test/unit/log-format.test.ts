// The log lines people read: one line per event, tagged with its phase; styles for a terminal, journald and a file;
// JSON lines for machines; the live line (a progress bar) kept below the log lines on a terminal.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pino } from "pino";
import { EnrollError } from "../../src/errors.js";
import { createSink } from "../../src/log.js";
import type { TextStyle } from "../../src/log-text.js";

function capture(format: "text" | "json", style: TextStyle, level = "info") {
  let written = "";
  const sink = createSink(format, style, (text) => void (written += text));
  const log = pino({ level, base: undefined }, sink);
  return { log, sink, written: () => written };
}

describe("the text log format", () => {
  it("tags each line with its phase, as kubeadm does, and shows fields only at debug level", () => {
    const { log, written } = capture("text", "terminal");
    log.info("starting");
    log.info({ phase: "check docker engine" }, "check docker engine…");
    log.info(
      { engine: "unix:///run/docker.sock", route: { iface: "eth0", ip4: "10.0.0.5" } },
      "engine answers",
    );
    log.warn("the server sees 10.0.0.9");
    log.debug("not shown");
    log.info({ phase: "resolve environment" }, "looking up Default");
    assert.equal(
      written(),
      [
        "starting",
        "[check docker engine]",
        "[check docker engine] engine answers",
        "[check docker engine] warning: the server sees 10.0.0.9",
        "[resolve environment] looking up Default",
        "",
      ].join("\n"),
    );
  });

  it("at debug level: the fields on the same line, long values cut", () => {
    const { log, written } = capture("text", "terminal", "debug");
    log.debug({ method: "GET", body: "x".repeat(500) }, "api request");
    assert.match(written(), /^api request method=GET body=x{200}…\n$/);
  });

  it("the error: untagged, its hint on the next line", () => {
    const { log, sink, written } = capture("text", "terminal");
    log.info({ phase: "confirm host" }, "waiting");
    sink.fail(new EnrollError("timeout", "the host did not become active", "Check the agent's logs."));
    assert.equal(
      written(),
      "[confirm host] waiting\nerror: the host did not become active\n  Check the agent's logs.\n",
    );
  });

  it("for journald: each line starts with its syslog priority, and no time (journald has it)", () => {
    const { log, sink, written } = capture("text", "journal");
    log.info("starting");
    log.warn("slow");
    sink.fail(new EnrollError("usage", "bad", "Fix it."));
    assert.equal(written(), "<6>starting\n<4>warning: slow\n<3>error: bad\n<3>  Fix it.\n");
  });

  it("in a file: each line starts with the time", () => {
    const { log, written } = capture("text", "plain");
    log.info("starting");
    assert.match(written(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z starting\n$/);
  });

  it("JSON: pino's lines, and the error as one more line", () => {
    const { log, sink, written } = capture("json", "terminal");
    log.info({ phase: "x" }, "starting");
    sink.fail(new EnrollError("auth", "key refused", "Check the key."));
    const [first, error] = written()
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    assert.equal(first.msg, "starting");
    assert.deepEqual(
      { level: error.level, msg: error.msg, kind: error.kind, exitCode: error.exitCode, hint: error.hint },
      { level: 50, msg: "key refused", kind: "auth", exitCode: 3, hint: "Check the key." },
    );
  });
});

describe("the live line on a terminal", () => {
  it("is redrawn in place, cleared to the end of the line, and kept below log lines", () => {
    const { log, sink, written } = capture("text", "terminal");
    sink.live!.show("[##..] 50%");
    log.info("a log line");
    sink.live!.clear();
    log.info("after");
    assert.equal(
      written(),
      "\r\u001b[K[##..] 50%" + "\r\u001b[Ka log line\n[##..] 50%" + "\r\u001b[K" + "after\n",
    );
  });

  it("exists only on a terminal", () => {
    assert.equal(capture("text", "plain").sink.live, undefined);
    assert.equal(capture("json", "terminal").sink.live, undefined);
  });
});
