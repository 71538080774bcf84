import { apiRequests, type MachineUp } from "../test/support/fleet.js";
import type { ApiKey, Simulator } from "../test/support/simulator/index.js";
import { median } from "./measure.js";

export interface PhaseRow {
  phase: string;
  requests: number;
  /** How long the phase took on each machine, in seconds; absent for requests that are not up's own. */
  seconds?: { median: number; max: number };
}

interface PhaseSpan {
  phase: string;
  from: number;
  to: number;
}

const AGENTS = "agents' bootstrap (scripts, register)";
/** From the process's start to its first phase: Node.js start-up, loading, reading the settings. */
const STARTING = "start-up (before the first phase)";

/**
 * Requests and time by phase of `up`. A machine's requests are told apart by its own API key and given to the
 * phase it was in when they arrived (its log says when each phase began); the rest are the agents' own.
 */
export function phaseBreakdown(simulator: Simulator, keys: ApiKey[], ups: MachineUp[]): PhaseRow[] {
  const spans = new Map(ups.map((up) => [keys[up.machine.index]!.accessKey, phaseSpans(up)]));
  const requests = new Map<string, number>();
  for (const request of apiRequests(simulator)) {
    const ofMachine = request.accessKey === undefined ? undefined : spans.get(request.accessKey);
    const phase = ofMachine
      ? (ofMachine.find((span) => request.time >= span.from && request.time < span.to)?.phase ??
        "outside phases")
      : AGENTS;
    requests.set(phase, (requests.get(phase) ?? 0) + 1);
  }
  const durations = new Map<string, number[]>();
  for (const span of [...spans.values()].flat())
    durations.set(span.phase, [...(durations.get(span.phase) ?? []), (span.to - span.from) / 1000]);
  const phases = [...new Set([...durations.keys(), ...requests.keys()])];
  return phases.map((phase) => {
    const seconds = durations.get(phase);
    return {
      phase,
      requests: requests.get(phase) ?? 0,
      ...(seconds && { seconds: { median: median(seconds), max: Math.max(...seconds) } }),
    };
  });
}

/** From up's JSON log lines on stderr (`{"phase": NAME, "time": MS}` as each phase begins): each phase's span. */
export function phaseSpans({
  run,
  startedAt,
  endedAt,
}: {
  run: { stderr: string };
  startedAt: number;
  endedAt: number;
}): PhaseSpan[] {
  const starts = [{ phase: STARTING, at: startedAt }];
  for (const line of run.stderr.split("\n")) {
    const entry = parseLine(line);
    if (
      typeof entry?.phase === "string" &&
      typeof entry.time === "number" &&
      !starts.some((s) => s.phase === entry.phase)
    )
      starts.push({ phase: entry.phase, at: entry.time });
  }
  return starts.map((start, index) => ({
    phase: start.phase,
    from: start.at,
    to: starts[index + 1]?.at ?? endedAt,
  }));
}

function parseLine(line: string): { phase?: unknown; time?: unknown } | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    return JSON.parse(line) as { phase?: unknown; time?: unknown };
  } catch {
    return undefined;
  }
}
