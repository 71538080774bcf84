#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache-2.0, as rancher-enroll.

DOCUMENTATION = r"""
module: rancher_enroll
short_description: Enroll this machine into Rancher 1.6 with rancher-enroll, or take it out
description:
  - Runs C(rancher-enroll up) (I(state=present)) or C(rancher-enroll down) (I(state=absent)) with C(--output json).
  - Changed exactly when rancher-enroll says it changed something; failed with rancher-enroll's own message otherwise.
  - In check mode, runs C(rancher-enroll status) and reports whether a change would be made.
options:
  state:
    type: str
    choices: [present, absent]
    default: present
    description: C(present) enrolls this machine, C(absent) takes it out of Rancher.
  profile:
    type: str
    description: The profile that holds the server, the environment and the API key (default C(default)).
  environment:
    type: str
    description: The target environment, by name or id; default the profile's.
  labels:
    type: dict
    description: Host labels; default the profile's.
  agent_ip:
    type: str
    description: The IPv4 address the agent registers; default the profile's, else the agent's choice.
  timeout:
    type: int
    description: Seconds before rancher-enroll gives up (its default is 600).
  purge:
    type: bool
    default: false
    description: With I(state=absent), also forget the machine's identity.
  executable:
    type: str
    default: rancher-enroll
    description: The rancher-enroll command, looked up in PATH and /usr/local/bin.
author: rancher-enroll maintainers
"""

import json

from ansible.module_utils.basic import AnsibleModule

# `rancher-enroll status` exit codes.
ACTIVE = 0
NOT_ENROLLED = 10
UNHEALTHY = 11


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            profile=dict(type="str"),
            environment=dict(type="str"),
            labels=dict(type="dict"),
            agent_ip=dict(type="str"),
            timeout=dict(type="int"),
            purge=dict(type="bool", default=False),
            executable=dict(type="str", default="rancher-enroll"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    executable = module.get_bin_path(params["executable"], required=True, opt_dirs=["/usr/local/bin"])
    profile = ["--profile", params["profile"]] if params["profile"] else []
    if module.check_mode:
        module.exit_json(changed=would_change(module, [executable, "status"] + profile, params["state"]))
    if params["state"] == "present":
        command = [executable, "up"] + profile + up_options(params)
    else:
        command = [executable, "down"] + profile + (["--purge"] if params["purge"] else [])
        command += timeout_option(params)
    module.exit_json(**run(module, command))


def up_options(params):
    options = []
    if params["environment"]:
        options += ["--environment", params["environment"]]
    for key, value in (params["labels"] or {}).items():
        options += ["--label", "%s=%s" % (key, value)]
    if params["agent_ip"]:
        options += ["--agent-ip", params["agent_ip"]]
    return options + timeout_option(params)


def timeout_option(params):
    return ["--timeout", str(params["timeout"])] if params["timeout"] else []


def run(module, command):
    """The JSON object rancher-enroll prints, less its `ok`; fails the task with rancher-enroll's message."""
    rc, result = run_json(module, command)
    if not result.get("ok"):
        fail(module, rc, result)
    del result["ok"]
    return result


def would_change(module, status_command, state):
    rc, result = run_json(module, status_command)
    if rc not in (ACTIVE, NOT_ENROLLED, UNHEALTHY):
        fail(module, rc, result)
    return rc != ACTIVE if state == "present" else rc != NOT_ENROLLED


def run_json(module, command):
    rc, stdout, stderr = module.run_command(command + ["--output", "json"])
    try:
        return rc, json.loads(stdout)
    except ValueError:
        module.fail_json(msg=stderr.strip() or "rancher-enroll printed no JSON", rc=rc, cmd=command)


def fail(module, rc, result):
    error = result.get("error", {})
    module.fail_json(
        msg=error.get("message", "rancher-enroll failed"),
        hint=error.get("hint"),
        kind=error.get("kind"),
        rc=rc,
    )


if __name__ == "__main__":
    main()
