import { EnrollError } from "../errors.js";
import type { NodeAgent, ServerLine } from "../flows/seam.js";
import { BootstrapAgent } from "./bootstrap-agent.js";
import type { DockerMachine } from "./docker-machine.js";
import { RancherAgent } from "./rancher-agent.js";

/** The node agent of a server line; with no line known (nothing recorded), the one that 0.1 launched. */
export function nodeAgentFor(line: ServerLine | undefined, machine: DockerMachine): NodeAgent {
  switch (line ?? "cattle") {
    case "cattle":
      return new BootstrapAgent(machine);
    case "v3":
      return new RancherAgent(machine);
    case "system-agent":
      throw new EnrollError(
        "server",
        "this version of rancher-enroll cannot run rancher-system-agent (RKE2/K3s clusters) yet",
        "rancher-enroll joins RKE1 custom clusters of Rancher 2.0 to 2.11; for this cluster, use its registration command from the Rancher UI.",
      );
  }
}
