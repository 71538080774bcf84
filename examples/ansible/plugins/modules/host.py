#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: rancher-enroll maintainers
# Apache License 2.0, as rancher-enroll (see https://www.apache.org/licenses/LICENSE-2.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
module: host
short_description: Enroll this machine into Rancher with rancher-enroll, or take it out
version_added: 0.1.0
description:
  - Runs C(rancher-enroll up) (C(state=present)) or C(rancher-enroll down) (C(state=absent)) with C(--output json), as
    root on the managed machine, and reports what rancher-enroll's JSON result says.
  - Changed exactly when rancher-enroll changed something; failed with rancher-enroll's own message, hint, error kind
    and exit code otherwise.
  - Rancher 1.6 (environments and hosts) and Rancher 2.x (clusters and nodes) alike; the server's line decides which
    words the results use (C(environment) and C(host), or C(cluster) and C(node)).
  - The server, the API key (Rancher 1.6) or API token (Rancher 2.x) and the defaults of the other options come from a
    rancher-enroll profile (C(/etc/rancher-enroll/config) and C(/etc/rancher-enroll/credentials)); the role
    C(rancher_enroll.enroll.rancher_enroll) writes it. No API key or token is ever passed on a command line.
options:
  state:
    description:
      - C(present) enrolls this machine (C(rancher-enroll up)); C(absent) takes it out of Rancher
        (C(rancher-enroll down)).
    type: str
    choices: [present, absent]
    default: present
  profile:
    description:
      - The rancher-enroll profile that holds the server, the API key and the defaults.
      - Default the profile called C(default).
    type: str
  environment:
    description:
      - Rancher 1.6 environment to enroll into, by name or id. Default the profile's, else the only one the API key
        sees.
    type: str
  cluster:
    description:
      - Rancher 2.x cluster to join, by name or id (C(c-xxxxx)). Default the profile's.
    type: str
  labels:
    description:
      - Host labels (Rancher 1.6) or node labels (Rancher 2.x). When given, they replace the profile's labels.
    type: dict
  agent_ip:
    description:
      - Rancher 1.6 only. The IPv4 address the agent registers. Default the profile's, else the agent's own choice.
    type: str
  ca_checksum:
    description:
      - Rancher 2.x only. The SHA-256 of the server's CA certificate, as the C(--ca-checksum) of the cluster's
        registration command shows it. Every command of this task then trusts exactly that CA, and stops before any
        credential is sent when the server's CA differs. Default the profile's.
    type: str
  roles:
    description:
      - Rancher 2.x only. The node's roles in the cluster. Default the profile's, else C(worker).
    type: list
    elements: str
    choices: [etcd, controlplane, worker]
  node_name:
    description:
      - Rancher 2.x only. The node's name in the cluster, lower-cased as Rancher requires. Default the profile's,
        else the machine's hostname.
    type: str
  address:
    description:
      - Rancher 2.x only. The IP address other nodes reach this one at. Default the profile's, else the address of
        the machine's default route.
    type: str
  wait_for:
    description:
      - Rancher 2.x only. What to wait for, the node C(registered) or C(active) (Ready). Default the profile's, else
        C(active).
    type: str
    choices: [registered, active]
  timeout:
    description:
      - Seconds before rancher-enroll gives up (its own default is 600).
    type: int
  purge:
    description:
      - With C(state=absent), also forget this machine's identity, so that the next enrollment makes a new host.
    type: bool
    default: false
  executable:
    description:
      - The rancher-enroll command, looked up in C(PATH) and C(/usr/local/bin). The C(.deb) installs
        C(/usr/bin/rancher-enroll).
    type: str
    default: rancher-enroll
attributes:
  check_mode:
    support: full
    description:
      - With C(state=present), runs C(rancher-enroll up --dry-run) and reports whether C(up) would change anything,
        and what it would do (C(plan)). With C(state=absent), runs C(rancher-enroll status).
  diff_mode:
    support: full
    description:
      - Shows this machine's enrollment before (from C(rancher-enroll status)) and after (from the result of C(up),
        of its dry run, or of C(down)).
  platform:
    support: full
    platforms: posix
    description: Linux machines with a Docker engine, where rancher-enroll runs.
notes:
  - Runs as root (C(become=true)), since rancher-enroll keeps the enrollment record in C(/var/lib/rancher-enroll).
  - Moving a machine to another environment, cluster or server is refused; take it out first with C(state=absent).
requirements:
  - rancher-enroll 0.1.0 or later on the managed machine (its C(.deb), or the single executable).
author:
  - rancher-enroll maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Enroll this machine into the profile's environment, with a label
  rancher_enroll.enroll.host:
    labels:
      role: web

- name: Enroll into a named environment of the staging profile, waiting at most 5 minutes
  rancher_enroll.enroll.host:
    profile: staging
    environment: Production
    timeout: 300

- name: Join a Rancher 2.x cluster as an etcd and controlplane node, its server's private CA pinned
  rancher_enroll.enroll.host:
    cluster: c-m8x2k
    roles: [etcd, controlplane]
    node_name: cp-1
    ca_checksum: 3f7c4a9e0d5b6c2f8e1a7d4b9c0e3f6a2d5b8c1e4f7a0d3b6c9e2f5a8b1d4c7e

- name: Take this machine out of Rancher and forget its identity
  rancher_enroll.enroll.host:
    state: absent
    purge: true
"""

RETURN = r"""
environment:
  description: The Rancher 1.6 environment (C(cluster) on Rancher 2.x).
  returned: C(state=present), on Rancher 1.6
  type: dict
  sample: {"id": "1a5", "name": "Default"}
cluster:
  description: The Rancher 2.x cluster (C(environment) on Rancher 1.6).
  returned: C(state=present), on Rancher 2.x
  type: dict
  sample: {"id": "c-m8x2k", "name": "production"}
host:
  description:
    - This machine's host on Rancher 1.6 (C(node) on Rancher 2.x), as the server shows it.
    - In check mode, only when this machine is already enrolled and active (nothing would change).
  returned: C(state=present), on Rancher 1.6
  type: dict
  sample: {"id": "1h3", "state": "active", "hostname": "web-1", "agentIpAddress": "10.0.0.3", "labels": {"role": "web"}}
node:
  description: This machine's node on Rancher 2.x (C(host) on Rancher 1.6), as the server shows it.
  returned: C(state=present), on Rancher 2.x
  type: dict
  sample: {"id": "m-5bf2c", "state": "active", "nodeName": "web-1"}
server:
  description: The Rancher server, and its version once it answered.
  returned: C(state=present)
  type: dict
  sample: {"url": "https://rancher.example.com:8080", "version": "v1.6.30"}
serverLine:
  description: The server's line, C(cattle) (Rancher 1.6) or C(v3) (Rancher 2.x).
  returned: C(state=present)
  type: str
  sample: cattle
agent:
  description: The agent image, and whether it was pulled (in check mode, whether it is present already).
  returned: C(state=present)
  type: dict
  sample: {"image": "rancher/agent:v1.2.11", "imagePulled": false}
registration:
  description:
    - The registration token used, and whether it was created.
    - In check mode, the token that would be reused, or C(registration.wouldCreate=true).
  returned: C(state=present), when this run enrolled (or in check mode, would enroll)
  type: dict
  sample: {"id": "1c3", "created": false}
plan:
  description:
    - In check mode, what C(up) would do, from C(rancher-enroll up --dry-run); secrets are masked.
    - C(command) is the equivalent C(docker run) command, once the registration token exists.
  returned: check mode with C(state=present), when C(up) would change something
  type: dict
  sample: {"registration": {"id": "1c3", "wouldCreate": false}, "agent": {"image": "rancher/agent:v1.2.11"}}
removedHosts:
  description: The hosts (C(removedNodes) on Rancher 2.x) that C(down) removed on the server.
  returned: C(state=absent), not in check mode
  type: list
  elements: str
  sample: ["1h3"]
removedContainers:
  description: The agent containers that C(down) removed on this machine.
  returned: C(state=absent), not in check mode
  type: list
  elements: str
  sample: ["rancher-agent"]
purged:
  description: What C(down) forgot on this machine with C(purge=true).
  returned: C(state=absent), not in check mode
  type: list
  elements: str
  sample: ["/var/lib/rancher/state"]
durationSeconds:
  description: How long rancher-enroll took.
  returned: success, not in check mode with C(state=absent)
  type: float
  sample: 4.2
"""

import json

from ansible.module_utils.basic import AnsibleModule

# `rancher-enroll status` exit codes.
ACTIVE = 0
NOT_ENROLLED = 10
UNHEALTHY = 11

# How each server line (Rancher 1.6, 2.x) names the target and the member in rancher-enroll's JSON.
TARGET_WORDS = ("environment", "cluster")
MEMBER_WORDS = ("host", "node")

NOT_ENROLLED_VIEW = {"enrolled": False}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            profile=dict(type="str"),
            environment=dict(type="str"),
            cluster=dict(type="str"),
            labels=dict(type="dict"),
            agent_ip=dict(type="str"),
            ca_checksum=dict(type="str"),
            roles=dict(type="list", elements="str", choices=["etcd", "controlplane", "worker"]),
            node_name=dict(type="str"),
            address=dict(type="str"),
            wait_for=dict(type="str", choices=["registered", "active"]),
            timeout=dict(type="int"),
            purge=dict(type="bool", default=False),
            executable=dict(type="str", default="rancher-enroll"),
        ),
        mutually_exclusive=[("environment", "cluster"), ("agent_ip", "address")],
        supports_check_mode=True,
    )
    rancher_enroll = RancherEnroll(module)
    before = enrollment_view(rancher_enroll.status()[1]) if module._diff else None
    if module.params["state"] == "present":
        result, after = enroll(rancher_enroll, module.check_mode)
    else:
        result, after = take_out(rancher_enroll, module.check_mode)
    if before is not None:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


def enroll(rancher_enroll, check_mode):
    """`up`, or in check mode `up --dry-run`: the module's result, and the enrollment it leaves."""
    if not check_mode:
        result = rancher_enroll.run(["up"] + up_options(rancher_enroll.params))
        return result, enrolled_view(result)
    plan = rancher_enroll.run(["up", "--dry-run"] + up_options(rancher_enroll.params))
    would_change = named(plan, MEMBER_WORDS)[1] is None
    result = dict((key, value) for key, value in plan.items() if key not in ("kind", "changed", "command"))
    result["changed"] = would_change
    if would_change:
        result["plan"] = dict((key, plan[key]) for key in ("registration", "agent", "command") if key in plan)
    return result, enrolled_view(plan)


def take_out(rancher_enroll, check_mode):
    """`down`, or in check mode `status`: the module's result, and the enrollment it leaves (none)."""
    if check_mode:
        return dict(changed=rancher_enroll.status()[0] != NOT_ENROLLED), NOT_ENROLLED_VIEW
    # --yes: state=absent is the confirmation; over `ssh -tt` (become) down would otherwise ask on the terminal.
    command = ["down", "--yes"] + (["--purge"] if rancher_enroll.params["purge"] else [])
    return rancher_enroll.run(command + timeout_option(rancher_enroll.params)), NOT_ENROLLED_VIEW


def up_options(params):
    options = []
    for name in ("environment", "cluster"):
        if params[name]:
            options += ["--%s" % name, params[name]]
    for key, value in sorted((params["labels"] or {}).items()):
        options += ["--label", "%s=%s" % (key, value)]
    for role in params["roles"] or []:
        options += ["--role", role]
    for name in ("agent_ip", "node_name", "address", "wait_for"):
        if params[name]:
            options += ["--%s" % name.replace("_", "-"), params[name]]
    return options + timeout_option(params)


def server_options(params):
    """What every command takes: the profile, and the CA checksum (status and down trust the same CA as up)."""
    options = ["--profile", params["profile"]] if params["profile"] else []
    if params["ca_checksum"]:
        options += ["--ca-checksum", params["ca_checksum"]]
    return options


def timeout_option(params):
    return ["--timeout", str(params["timeout"])] if params["timeout"] else []


class RancherEnroll:
    """rancher-enroll's commands on this machine, for the profile the task names, with their JSON results."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.executable = module.get_bin_path(self.params["executable"], required=True, opt_dirs=["/usr/local/bin"])
        self.server_options = server_options(self.params)
        self.status_before = None

    def run(self, command):
        """The JSON object a command prints, less its `ok`; fails the task with rancher-enroll's message."""
        rc, result = self.run_json(command)
        if not result.get("ok"):
            self.fail(rc, result)
        del result["ok"]
        return result

    def status(self):
        """`status` before this task changes anything: its exit code (active, not enrolled or unhealthy), its result."""
        if self.status_before is None:
            rc, result = self.run_json(["status"])
            if rc not in (ACTIVE, NOT_ENROLLED, UNHEALTHY):
                self.fail(rc, result)
            self.status_before = (rc, result)
        return self.status_before

    def run_json(self, command):
        full = [self.executable] + command + self.server_options + ["--output", "json"]
        rc, stdout, stderr = self.module.run_command(full)
        try:
            return rc, json.loads(stdout)
        except ValueError:
            self.module.fail_json(msg=stderr.strip() or "rancher-enroll printed no JSON", rc=rc, cmd=full)

    def fail(self, rc, result):
        error = result.get("error", {})
        self.module.fail_json(
            msg=error.get("message", "rancher-enroll failed"),
            hint=error.get("hint"),
            kind=error.get("kind"),
            rc=rc,
        )


def enrollment_view(status):
    """What `status` says of this machine's enrollment, in the diff: server, target, member, agent."""
    enrollment = status.get("enrollment")
    if not status.get("enrolled") or not enrollment:
        return NOT_ENROLLED_VIEW
    target_word, target = named(enrollment, TARGET_WORDS)
    member_word, member = named(status, MEMBER_WORDS, MEMBER_WORDS[TARGET_WORDS.index(target_word)])
    agent = status.get("agent", {})
    return {
        "enrolled": True,
        "server": enrollment.get("server"),
        target_word: describe_target(target),
        member_word: describe_member(member) if member else "gone from the server",
        "agent": "running" if agent.get("running") else ("stopped" if agent.get("present") else "missing"),
    }


def enrolled_view(result):
    """The enrollment that an `up` result leaves, or that its dry run would leave, in the diff."""
    target_word, target = named(result, TARGET_WORDS)
    member_word, member = named(result, MEMBER_WORDS, MEMBER_WORDS[TARGET_WORDS.index(target_word)])
    return {
        "enrolled": True,
        "server": result["server"]["url"],
        target_word: describe_target(target),
        member_word: describe_member(member) if member else "the one the agent registers, once active",
        "agent": "running",
    }


def named(result, words, default=None):
    """The word among `words` that names a field of the result, and that field's value (None when absent)."""
    for word in words:
        if result.get(word):
            return word, result[word]
    return default or words[0], None


def describe_target(target):
    return "%s (%s)" % (target.get("name"), target.get("id"))


def describe_member(member):
    return "%s (%s)" % (member.get("id"), member.get("state"))


if __name__ == "__main__":
    main()
