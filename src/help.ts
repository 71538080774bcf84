import { Help, type Command } from "commander";
import { listedTerm, type CommandSpec } from "./commands/spec.js";
import { EXIT_CODES, type ErrorKind } from "./errors.js";
import { INTERRUPTED_EXIT_CODES } from "./interrupt.js";

/** Each exit code in a few words; README "Troubleshooting" says what to check for each. */
const MEANINGS: Readonly<Record<ErrorKind | "ok", string>> = {
  ok: "done",
  internal: "internal error (a bug: please report it)",
  usage: "a setting is missing or wrong; nothing was changed",
  auth: "the server refused the API key",
  "not-found": "the environment or host does not exist",
  docker: "the Docker engine failed or does not answer (RKE2/K3s: not root, or no systemd)",
  "agent-failed": "the agent's bootstrap container or installer failed",
  timeout: "--timeout passed before the work was done",
  server: "the server failed, its TLS certificate was refused, or the URL is not a Rancher API",
  differs: "up: enrolled already, with other settings than these (listed); nothing was changed",
};

/** Per command: its examples, and the exit codes of its own beyond the shared ones. */
const COMMANDS: Readonly<Record<string, { examples: string[]; codes?: Record<number, string> }>> = {
  up: {
    examples: [
      "RANCHER_ACCESS_KEY=… RANCHER_SECRET_KEY=… rancher-enroll up --url https://rancher.example.com:8080 -e Default",
      "rancher-enroll up --profile staging --label role=web",
      "rancher-enroll up --dry-run",
      "rancher-enroll up --output json        # one JSON object on stdout, for scripts",
    ],
  },
  status: {
    examples: ["rancher-enroll status", "rancher-enroll status --output json"],
    codes: {
      10: "not enrolled",
      11: "enrolled, but something is wrong: `rancher-enroll up` repairs it",
      12: "enrolled, the agent runs, but the server could not be asked (the answer says why)",
    },
  },
  down: {
    examples: [
      "rancher-enroll down",
      "rancher-enroll down --purge   # the next up makes a new host",
      "rancher-enroll down --force   # the server is gone for good: remove the agent, leave its host record",
    ],
  },
  prepare: {
    examples: [
      "rancher-enroll prepare --agent-image rancher/agent:v1.2.11   # in an image build",
      "rancher-enroll prepare --clean                               # last step of an image build",
    ],
  },
  configure: {
    examples: [
      "rancher-enroll configure                     # asks, on a terminal",
      "rancher-enroll configure --profile staging --url https://rancher.example.com --environment Staging",
      "rancher-enroll configure --from-env",
      "rancher-enroll configure --import-rancher-cli",
      "rancher-enroll configure --from-env --no-verify   # offline: write without asking the server",
    ],
  },
  profiles: { examples: ["rancher-enroll profiles"] },
  settings: { examples: ["rancher-enroll settings", "rancher-enroll settings --profile staging"] },
};

/**
 * Help for people: the global options on every command's help, its examples and its exit codes. The list of commands
 * comes from their specs, for the commands not built (commands/program.ts).
 */
export function withHelp(program: Command, specs: readonly CommandSpec[]): Command {
  const settings = { showGlobalOptions: true };
  program.configureHelp({
    ...settings,
    subcommandTerm(this: Help, command: Command) {
      const spec = specs.find(({ name }) => name === command.name());
      // commander's own `help [command]` has no spec.
      return spec ? listedTerm(spec) : Help.prototype.subcommandTerm.call(this, command);
    },
  });
  program.addHelpText("after", `\n${exitCodes()}\n\nMore: rancher-enroll <command> --help`);
  for (const command of program.commands) {
    command.configureHelp(settings);
    const { examples = [], codes } = COMMANDS[command.name()] ?? {};
    const shown = examples.map((example) => `  ${example}`).join("\n");
    command.addHelpText("after", `${shown ? `\nExamples:\n${shown}\n` : ""}\n${exitCodes(codes)}`);
  }
  return program;
}

function exitCodes(extra: Record<number, string> = {}): string {
  const rows: [number, string][] = [
    ...Object.entries(MEANINGS).map(([kind, meaning]): [number, string] => [
      EXIT_CODES[kind as ErrorKind | "ok"],
      meaning,
    ]),
    ...Object.entries(extra).map(([code, meaning]): [number, string] => [Number(code), meaning]),
    [INTERRUPTED_EXIT_CODES.SIGINT, "interrupted (Ctrl-C, SIGINT)"],
    [INTERRUPTED_EXIT_CODES.SIGTERM, "stopped (SIGTERM)"],
  ];
  return ["Exit codes:", ...rows.map(([code, meaning]) => `  ${String(code).padStart(3)}  ${meaning}`)].join(
    "\n",
  );
}
