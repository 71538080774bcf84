import { table } from "./commands/table.js";
import { printableDeep } from "./rancher/server-text.js";
import type { Member } from "./flows/seam.js";
import type { DownResult, PrepareResult, Result, StatusResult, UpPlan, UpResult } from "./flows/result.js";

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
  const { words, target } = result;
  const server = `${result.server.url}${result.server.version ? ` (Rancher ${result.server.version})` : ""}`;
  const where = `${words.target} ${target.name} (${target.id}) on ${server}`;
  if (result.kind === "enrolled") {
    const verb = result.changed ? "enrolled" : "already enrolled";
    const line = `${verb}: ${describeMember(words.member, result.member)} in ${where} after ${result.durationSeconds} s`;
    return result.changed ? `${line}\n${nextSteps(result)}` : line;
  }
  if (result.member)
    return `dry run for ${where}\n  already enrolled: ${describeMember(words.member, result.member)}; nothing would change`;
  const token = result.registration?.wouldCreate
    ? "no active registration token: one would be created"
    : `would reuse registration token ${result.registration?.id}`;
  const lines = [`dry run for ${where}`, `  ${token}`];
  if (result.agent?.image)
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
function nextSteps({ server, serverLine, target, words }: UpResult): string {
  const ui = serverLine === "cattle" ? `/env/${target.id}/infra/hosts` : `/c/${target.id}/nodes`;
  return table([
    ["Next:"],
    [`  see the ${words.member} in Rancher`, `${server.url}${ui}`],
    ["  check it from here", "rancher-enroll status"],
    ["  take it out again", "rancher-enroll down"],
  ]);
}

/** `host 1h3 (node-3, 10.0.0.3) is active`. */
function describeMember(word: string, member: Member): string {
  return `${word} ${member.id} (${member.name}, ${member.address ?? "no IP yet"}) is ${member.state}`;
}

function renderStatus(result: StatusResult): string {
  if (!result.enrolled) return "not enrolled";
  const { enrollment, member, agent, words } = result;
  const where = enrollment
    ? ` in ${words.target} ${enrollment.target.name} (${enrollment.target.id}) of ${enrollment.server}`
    : "";
  const hostLine = member
    ? describeMember(words.member, member)
    : enrollment?.memberId
      ? `${words.member} ${enrollment.memberId}`
      : `no confirmed ${words.member}`;
  const agentLine = agent.present
    ? `agent ${agent.running ? `running since ${agent.startedAt}` : "stopped"} (${agent.image})`
    : `no agent container${result.agentHandedOver ? ` (Rancher removes it once the ${words.target} runs)` : ""}`;
  const lines = [`enrolled${where}: ${hostLine}; ${agentLine}`];
  if (!result.healthy) lines.push(...result.problems.map((problem) => `  unhealthy: ${problem}`));
  const { unchecked } = result;
  if (unchecked)
    lines.push(
      `  not checked: the ${unchecked.what}: ${unchecked.message}`,
      ...(unchecked.hint ? [`    ${unchecked.hint}`] : []),
    );
  // up relaunches the agent of a recorded enrollment and waits for its host: every problem above but a foreign agent.
  if (result.problems.length && enrollment)
    lines.push(
      "  to repair: `rancher-enroll up` launches the agent again and waits until the host is active",
    );
  return lines.join("\n");
}

function renderDown(result: DownResult): string {
  if (!result.changed) return "not enrolled: nothing to do";
  const left = result.leftOnServer ?? [];
  const parts = [
    result.removedMembers.length
      ? `removed ${result.words.member} ${result.removedMembers.join(", ")} from the server`
      : left.length
        ? ""
        : `no ${result.words.member} to remove on the server`,
    result.removedContainers.length ? `removed ${result.removedContainers.join(", ")}` : "",
    result.purged.length ? `purged ${result.purged.join(", ")}` : "",
  ];
  const leftLines = left.map(
    (what) => `\n  left on the server: ${what}; remove it in the Rancher UI (deactivate, then delete)`,
  );
  return parts.filter(Boolean).join("; ") + leftLines.join("");
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
