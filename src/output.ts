import type { EnrollError } from "./errors.js";
import type { UpPlan, UpResult } from "./register/result.js";

export type Result = UpResult | UpPlan;

/** One JSON object on stdout: what scripts parse. */
export function renderJson(result: Result): string {
  return JSON.stringify({ ok: true, ...result });
}

export function renderJsonError(error: EnrollError): string {
  return JSON.stringify({
    ok: false,
    error: {
      kind: error.kind,
      exitCode: error.exitCode,
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
    },
  });
}

export function renderText(result: Result): string {
  const server = `${result.server.url}${result.server.version ? ` (Rancher ${result.server.version})` : ""}`;
  const where = `environment ${result.environment.name} (${result.environment.id}) on ${server}`;
  if (result.kind === "enrolled") {
    const { host } = result;
    const verb = result.changed ? "enrolled" : "already enrolled";
    return `${verb}: host ${host.id} (${host.hostname}, ${host.agentIpAddress ?? "no IP yet"}) is ${host.state} in ${where} after ${result.durationSeconds} s`;
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

export function renderTextError(error: EnrollError): string {
  return `error: ${error.message}${error.hint ? `\n  ${error.hint}` : ""}`;
}
