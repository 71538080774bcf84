// rancher-enroll at a real terminal (a pseudo-terminal from tmux, 80 columns), as a person sees it: the text log
// lines, one per phase and event; the pull's progress bar redrawn in place and gone once the pull is done; the
// result and what to do next; an error and its hint; down's question before it changes anything.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { e2e, useE2eWorld } from "../support/e2e.js";
import { Terminal } from "../support/terminal.js";
import { tryDocker } from "../support/testbed/engine.js";

describe("at a terminal", { skip: e2e.skip }, () => {
  const world = useE2eWorld();
  const terminals: Terminal[] = [];
  after(() => Promise.all(terminals.map((terminal) => terminal.dispose())));

  async function atTerminal(args: string[], overrides: Record<string, string> = {}) {
    const terminal = await Terminal.start(args, world.env(overrides), { columns: 80 });
    terminals.push(terminal);
    return { terminal, code: await terminal.exitCode(), screen: await terminal.screen() };
  }

  const enroll = async () => {
    const run = await world.cli(["up", "-o", "json"]);
    assert.equal(run.code, 0, run.stderr);
    return (run.json().host as { id: string }).id;
  };
  const hostState = (id: string) => world.simulator.hosts("1a5").find((host) => host.id === id)?.state;
  const downAsking = async (args: string[] = []) => {
    const terminal = await Terminal.start(["down", ...args], world.env(), { columns: 80 });
    terminals.push(terminal);
    await terminal.waitForScreen(/Proceed\? \[y\/N\]:$/);
    return terminal;
  };

  it("up: a line per phase, the pull's bar gone once done, the result and what to do next", async () => {
    const { registryAgentImage, agentImage } = world.testbed;
    await world.simulate({ agentImage: registryAgentImage });
    await tryDocker(world.testbed, ["rmi", "--force", registryAgentImage, agentImage]);
    const { terminal, code, screen } = await atTerminal(["up", "--label", "role=web"]).finally(() =>
      tryDocker(world.testbed, ["tag", registryAgentImage, agentImage]),
    );
    assert.equal(code, 0, screen);
    const lines = screen.split("\n");
    assert.match(screen, /^\[check this machine\]$/m);
    assert.match(screen, /^\[prepare agent\] pulled 1 of 1 layers, [\d.]+ MB in [\d.]+ s$/m);
    assert.match(screen, /^enrolled: host 1h\d+ .* is active in environment Default \(1a5\)/m);
    assert.match(screen, /^ {2}check it from here +rancher-enroll status$/m);
    assert.doesNotMatch(screen, /\[#|%|\{/, "no progress bar left, no JSON");
    // A line per phase (11) and per notable event: about a screen, not the 75 lines of 0.1.
    assert.ok(lines.length <= 32, `short:\n${screen}`);
    // Each redraw: back to the line's start, clear it (ESC [ K), the bar.
    const bars = (await terminal.raw()).split("\r\u001b[K").filter((text) => /^\[[#.]+\] +\d+% /.test(text));
    assert.ok(bars.length > 0, "the bar was drawn in place");
    assert.ok(
      bars.every((bar) => bar.length - "\r\u001b[K".length < terminal.columns),
      "a bar never wraps",
    );
    const percents = bars.map((bar) => Number(/(\d+)%/.exec(bar)?.[1]));
    assert.deepEqual(
      percents,
      [...percents].sort((a, b) => a - b),
      "never backwards",
    );
  });

  it("a failed up: the log lines, then the error and its hint, nothing else", async () => {
    const { code, screen } = await atTerminal(["up"], { RANCHER_SECRET_KEY: "not-the-secret" });
    assert.equal(code, 3, screen);
    const lines = screen.split("\n");
    const error = lines.findIndex((line) => line.startsWith("error: the server rejected the API key"));
    assert.ok(error > 0, screen);
    assert.ok(
      lines.slice(error + 1).every((line) => line.startsWith("  ")),
      `the hint only, after the error:\n${screen}`,
    );
    assert.ok(
      lines.slice(0, error).every((line) => /^\[[a-z ]+\] \S|^\[[a-z ]+\]$/.test(line)),
      `log lines tagged with their phase:\n${screen}`,
    );
  });

  it("down asks [y/N] first: no changes nothing, y takes the host out; --yes asks nothing", async () => {
    const id = await enroll();
    const asked = async (answer: string) => {
      const terminal = await Terminal.start(["down"], world.env(), { columns: 80 });
      terminals.push(terminal);
      const question = await terminal.waitForScreen(/Proceed\? \[y\/N\]:$/);
      await terminal.type(answer);
      return { question, code: await terminal.exitCode(), screen: await terminal.screen() };
    };
    const no = await asked("n");
    assert.equal(no.code, 2, no.screen);
    assert.match(
      no.question.replace(/\n/g, " "),
      new RegExp(
        `This will remove host ${id} from environment Default \\(1a5\\) of .*, remove the rancher-agent container and forget the enrollment\\. Proceed\\? \\[y/N\\]:$`,
      ),
    );
    assert.match(no.screen, /^error: down cancelled: nothing was changed$/m);
    assert.equal(hostState(id), "active");
    assert.equal((await world.containers()).length, 1, "the agent stays");

    const yes = await asked("y");
    assert.equal(yes.code, 0, yes.screen);
    assert.match(yes.screen, new RegExp(`^removed host ${id} from the server; removed rancher-agent$`, "m"));
    assert.equal(hostState(id), "removed");

    const again = await enroll();
    const { code, screen } = await atTerminal(["down", "--yes"]);
    assert.equal(code, 0, screen);
    assert.doesNotMatch(screen, /Proceed/);
    assert.equal(hostState(again), "removed");
  });

  it("down's question with nobody at the terminal ends within --timeout, changing nothing, and holds no lock", async () => {
    const id = await enroll();
    const terminal = await downAsking(["--timeout", "8"]);
    // While down waits for its answer, another run takes the lock at once (an up that finds nothing to do).
    const meanwhile = await world.cli(["up", "--timeout", "30", "-o", "json"]);
    assert.equal(meanwhile.code, 0, meanwhile.stderr);
    assert.doesNotMatch(meanwhile.stderr, /another rancher-enroll/);
    const code = await terminal.exitCode(60_000);
    const screen = await terminal.screen();
    assert.equal(code, 7, screen);
    assert.match(
      screen,
      /Proceed\? \[y\/N\]: *\nerror: no answer to down's question within --timeout \(8 s\): nothing was changed\n {2}.*--yes/,
    );
    assert.equal(hostState(id), "active");
    assert.equal((await world.containers()).length, 1, "the agent stays");
  });

  it("down's answer counts only if the enrollment is still the one asked about", async () => {
    const first = await enroll();
    const terminal = await downAsking();
    const other = await world.cli(["down", "--yes", "--timeout", "30"]);
    assert.equal(other.code, 0, other.stderr);
    assert.equal(hostState(first), "removed");
    const second = await enroll();
    await terminal.type("y");
    const code = await terminal.exitCode();
    const screen = await terminal.screen();
    assert.equal(code, 2, screen);
    assert.match(
      screen,
      /^error: the enrollment changed while down waited for the answer .*nothing was changed$/m,
    );
    assert.equal(hostState(second), "active");
    assert.equal((await world.containers()).length, 1, "the new agent stays");
  });

  it("Ctrl-C: says where it stopped and how to carry on; a second up takes the lock", async () => {
    world.simulator.faults.keepHostsFromActive(true);
    const terminal = await Terminal.start(["up"], world.env(), { columns: 80 });
    terminals.push(terminal);
    await terminal.waitForScreen(/^\[confirm member\]/m);
    await terminal.press("C-c");
    const code = await terminal.exitCode();
    const screen = await terminal.screen();
    assert.equal(code, 130, screen);
    assert.match(
      screen,
      /^error: up was interrupted by SIGINT in phase "confirm member"\n {2}Nothing is rolled back/m,
    );
    world.simulator.faults.keepHostsFromActive(false);
    const again = await world.cli(["up", "-o", "json"]);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /another rancher-enroll/);
  });
});
