import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { EnrollError } from "../errors.js";

export interface Question {
  prompt: string;
  /** Shown in brackets; an empty answer keeps it. */
  current?: string;
  /** Typed characters are not echoed. */
  secret?: boolean;
  /** Throws an EnrollError for an answer to ask again. */
  check?: (answer: string) => void;
  /** An empty answer asks again, unless there is a current value to keep. */
  required?: boolean;
}

export interface Terminal {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** What Ctrl-C at a question fails with: what the command leaves as it was. */
  interrupted: string;
  /** Stops asking: the question is left, and `ask` rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Asks each question on a terminal, in raw mode so that readline does the echoing and a secret's echo can be
 * switched off. Answers are trimmed; an empty answer means "keep the current value" and comes back as "".
 */
export async function ask(
  questions: readonly Question[],
  { input, output, interrupted: whenInterrupted, signal }: Terminal,
): Promise<string[]> {
  const echo = new EchoSwitch(output);
  const readline = createInterface({ input, output: echo, terminal: true });
  const lines = readline[Symbol.asyncIterator]();
  const interrupted = new Promise<never>((_, reject) => {
    readline.once("SIGINT", () => reject(new EnrollError("usage", whenInterrupted)));
    signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  const next = async () => {
    if (signal?.aborted) throw signal.reason;
    const line = await Promise.race([lines.next(), interrupted]);
    if (line.done) throw new EnrollError("usage", "input ended before every question was answered");
    return line.value.trim();
  };
  try {
    const answers: string[] = [];
    for (const question of questions) answers.push(await askOne(question, readline, echo, next));
    return answers;
  } finally {
    // The prompt's line is left unanswered: what follows starts on a line of its own.
    if (signal?.aborted) echo.write("\n");
    readline.close();
  }
}

async function askOne(
  { prompt, current, secret, check, required }: Question,
  readline: ReturnType<typeof createInterface>,
  echo: EchoSwitch,
  next: () => Promise<string>,
): Promise<string> {
  for (;;) {
    readline.setPrompt(`${prompt}${current ? ` [${current}]` : ""}: `);
    readline.prompt();
    echo.echoing = !secret;
    const answer = await next().finally(() => (echo.echoing = true));
    if (secret) echo.write("\n");
    if (answer === "" && required && !current) continue;
    if (answer === "" || !check) return answer;
    try {
      check(answer);
      return answer;
    } catch (error) {
      if (!(error instanceof EnrollError)) throw error;
      echo.write(`  ${error.message}${error.hint ? `\n  ${error.hint}` : ""}\n`);
    }
  }
}

/** The terminal output, with echo that can be switched off while a secret is typed. */
class EchoSwitch extends Writable {
  echoing = true;

  constructor(private readonly target: NodeJS.WritableStream) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    if (this.echoing) this.target.write(chunk);
    done();
  }
}

/** A yes-or-no question, as `kubeadm reset` asks it: only "y" or "yes" (any case) says yes. */
export async function confirm(question: string, terminal: Terminal): Promise<boolean> {
  const [answer] = await ask([{ prompt: `${question} [y/N]` }], terminal);
  return /^y(es)?$/i.test(answer ?? "");
}

/**
 * A choice from a numbered list, as the 1.x `rancher config` offers environments: the number of the one chosen
 * (counting from 0). An empty answer takes the only one, or asks again; a number out of range asks again.
 */
export async function choose(prompt: string, items: readonly string[], terminal: Terminal): Promise<number> {
  const width = String(items.length).length;
  terminal.output.write(
    items.map((item, index) => `${String(index + 1).padStart(width)}  ${item}\n`).join(""),
  );
  const check = (answer: string) => {
    const number = Number(answer);
    if (!/^\d+$/.test(answer) || number < 1 || number > items.length) {
      throw new EnrollError("usage", `${answer} is not a number from 1 to ${items.length}`);
    }
  };
  const range = items.length > 1 ? `1-${items.length}` : "1";
  // One to choose from: it is the current value, which an empty answer keeps.
  const only = items.length === 1 ? { current: "1" } : {};
  const [answer] = await ask([{ prompt: `${prompt} (${range})`, ...only, required: true, check }], terminal);
  return answer ? Number(answer) - 1 : 0;
}
