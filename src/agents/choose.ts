import { EnrollError } from "../errors.js";
import type { NodeAgent, ServerLine } from "../flows/seam.js";
import { BootstrapAgent, type DockerMachine } from "./bootstrap-agent.js";

/** The node agent of a server line; with no line known (nothing recorded), the one that 0.1 launched. */
export function nodeAgentFor(line: ServerLine | undefined, machine: DockerMachine): NodeAgent {
  switch (line ?? "cattle") {
    case "cattle":
      return new BootstrapAgent(machine);
    default:
      throw new EnrollError(
        "server",
        `this version of rancher-enroll cannot run the agent of a Rancher 2.x server (${line}) yet`,
        "Use a Rancher 1.6 server, or a release of rancher-enroll that supports Rancher 2.x.",
      );
  }
}
