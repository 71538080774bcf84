import { table } from "./commands/table.js";
import { printableDeep } from "./rancher/server-text.js";
import type { DownResult, PrepareResult, StatusResult, UpPlan, UpResult } from "./register/result.js";

export type Result = UpResult | UpPlan | StatusResult | DownResult | PrepareResult;

/** Text for a terminal: what the server said (names, states, messages) cannot move the cursor or forge lines. */
export function renderText(result: Result): string {
  return renderClean(printableDeep(result));
}

function renderClean(result: Result): string {
  switch (result.kind) {
    case "enrolled":
    case "plan":
      return renderUp(result);
    case "status":
      return renderStatus(result);
    case "down":
      return renderDown(result);
    case "prepare":
      return renderPrepare(result);
  }
}

function renderUp(result: UpResult | UpPlan): string {
  const server = `${result.server.url}${result.server.version ? ` (Rancher ${result.server.version})` : ""}`;
  const where = `environment ${result.environment.name} (${result.environment.id}) on ${server}`;
  if (result.kind === "enrolled") {
    const { host } = result;
    const verb = result.changed ? "enrolled" : "already enrolled";
    const line = `${verb}: host ${host.id} (${host.hostname}, ${host.agentIpAddress ?? "no IP yet"}) is ${host.state} in ${where} after ${result.durationSeconds} s`;
    return result.changed ? `${line}\n${nextSteps(result)}` : line;
  }
  const token = result.registration.wouldCreate
    ? "no active registration token: one would be created"
    : `would reuse registration token ${result.registration.id}`;
  const lines = [`dry run for ${where}`, `  ${token}`];
  if (result.agent.image)
    lines.push(
      `  agent image ${result.agent.image} ${result.agent.imagePresent ? "is present" : "would be pulled"}`,
    );
  lines.push(
    result.command
      ? `  would run: ${result.command}`
      : "  the docker run command is known once the token exists",
  );
  return lines.join("\n");
}

/** What a person does next, after a first enrollment. */
function nextSteps({ server, environment }: UpResult): string {
  return table([
    ["Next:"],
    ["  see the host in Rancher", `${server.url}/env/${environment.id}/infra/hosts`],
    ["  check it from here", "rancher-enroll status"],
    ["  take it out again", "rancher-enroll down"],
  ]);
}

function renderStatus(result: StatusResult): string {
  if (!result.enrolled) return "not enrolled";
  const { enrollment, host, agent } = result;
  const where = enrollment
    ? ` in environment ${enrollment.environment.name} (${enrollment.environment.id}) of ${enrollment.server}`
    : "";
  const hostLine = host ? `host ${host.id} (${host.hostname}) is ${host.state}` : "no confirmed host";
  const agentLine = agent.present
    ? `agent ${agent.running ? `running since ${agent.startedAt}` : "stopped"} (${agent.image})`
    : "no agent container";
  const lines = [`enrolled${where}: ${hostLine}; ${agentLine}`];
  if (!result.healthy) lines.push(...result.problems.map((problem) => `  unhealthy: ${problem}`));
  // up relaunches the agent of a recorded enrollment and waits for its host: every problem above but a foreign agent.
  if (!result.healthy && enrollment)
    lines.push(
      "  to repair: `rancher-enroll up` launches the agent again and waits until the host is active",
    );
  return lines.join("\n");
}

function renderDown(result: DownResult): string {
  if (!result.changed) return "not enrolled: nothing to do";
  const parts = [
    result.removedHosts.length
      ? `removed host ${result.removedHosts.join(", ")} from the server`
      : "no host to remove on the server",
    result.removedContainers.length ? `removed ${result.removedContainers.join(", ")}` : "",
    result.purged.length ? `purged ${result.purged.join(", ")}` : "",
  ];
  return parts.filter(Boolean).join("; ");
}

function renderPrepare(result: PrepareResult): string {
  const image = result.image
    ? `agent image ${result.image} ${result.imagePulled ? "pulled" : "already present"}`
    : "";
  const clean = result.purged.length
    ? `removed ${[...result.removedContainers, ...result.purged].join(", ")}`
    : "";
  return [image, clean].filter(Boolean).join("; ") || "nothing to do";
}
