# Enrolls a machine that Terraform reaches over SSH into a Rancher 2.x cluster (set rancher_token and rancher_cluster;
# an RKE1 cluster joins through the rancher-agent container, an RKE2/K3s one through rancher-system-agent: the cluster
# decides) or a Rancher 1.6 environment (set rancher_access_key and rancher_secret_key) when this resource is created,
# and takes it out of Rancher when the resource is destroyed; rancher-enroll's JSON result is shown in Terraform's
# output and kept on the machine. The machine (Debian or Ubuntu) gets rancher-enroll from its .deb, uploaded from where
# Terraform runs (`npm run release` builds it). docs/integrations.md, section "Terraform".

terraform {
  required_version = ">= 1.4" # terraform_data
}

variable "host" {
  type        = string
  description = "Address of the machine to enroll."
}

variable "ssh_port" {
  type    = number
  default = 22
}

variable "ssh_user" {
  type    = string
  default = "admin"
}

variable "ssh_private_key_file" {
  type    = string
  default = "~/.ssh/id_ed25519"
}

variable "package_file" {
  type        = string
  description = "The rancher-enroll .deb to install on the machine (rancher-enroll_VERSION_amd64.deb)."
}

variable "rancher_url" {
  type = string
}

variable "rancher_environment" {
  type        = string
  description = "Rancher 1.6: the environment, by name or id (not written for 2.x)."
  default     = "Default"
}

variable "rancher_cluster" {
  type        = string
  description = "Rancher 2.x: the cluster, by name or id (c-xxxxx); empty: the only cluster the token sees."
  default     = ""
}

variable "rancher_ca_checksum" {
  type        = string
  description = "Rancher 2.x: the --ca-checksum of the cluster's registration command, to pin a private CA."
  default     = ""
}

variable "node_roles" {
  type        = string
  description = "Rancher 2.x: the node's roles, comma-separated (etcd,controlplane,worker); empty: a worker."
  default     = ""
}

variable "enroll_timeout" {
  type        = number
  description = "Seconds before `up` gives up; null: rancher-enroll's default (600). RKE2/K3s: installing rke2 takes minutes."
  default     = null
}

variable "host_labels" {
  type        = string
  description = "Host labels: KEY=VALUE pairs joined by '&'."
  default     = ""
}

variable "rancher_token" {
  type        = string
  description = "Rancher 2.x: the API token (token-xxxxx:secret)."
  sensitive   = true
  default     = ""
}

variable "rancher_access_key" {
  type        = string
  description = "Rancher 1.6: the API access key (an environment API key)."
  sensitive   = true
  default     = ""
}

variable "rancher_secret_key" {
  type        = string
  description = "Rancher 1.6: the API secret key."
  sensitive   = true
  default     = ""
}

locals {
  # Any 2.x setting makes the profile a 2.x one: it then names no environment, a usage error against a 2.x server.
  rancher2 = nonsensitive(var.rancher_token != "") || var.rancher_cluster != "" || var.rancher_ca_checksum != "" || var.node_roles != ""
  # A setting left empty stays out of the profile, so that rancher-enroll's own default applies.
  profile_settings = {
    url         = var.rancher_url
    environment = local.rancher2 ? "" : var.rancher_environment
    cluster     = var.rancher_cluster
    ca_checksum = var.rancher_ca_checksum
    roles       = var.node_roles
    labels      = var.host_labels
    timeout     = var.enroll_timeout == null ? "" : tostring(var.enroll_timeout)
  }
  credentials = {
    token      = var.rancher_token
    access_key = var.rancher_access_key
    secret_key = var.rancher_secret_key
  }
}

resource "terraform_data" "rancher_host" {
  # A destroy-time provisioner may refer only to the resource itself: what its connection needs is kept here.
  input = {
    host             = var.host
    port             = var.ssh_port
    user             = var.ssh_user
    private_key_file = var.ssh_private_key_file
  }

  lifecycle {
    precondition {
      condition     = var.rancher_token != "" || (var.rancher_access_key != "" && var.rancher_secret_key != "")
      error_message = "Set rancher_token (Rancher 2.x), or rancher_access_key and rancher_secret_key (Rancher 1.6)."
    }
  }

  connection {
    type        = "ssh"
    host        = self.input.host
    port        = self.input.port
    user        = self.input.user
    private_key = file(self.input.private_key_file)
  }

  provisioner "file" {
    source      = var.package_file
    destination = "rancher-enroll.deb"
  }

  # The profile goes up as files, so that no command line and no log shows the API token or key.
  provisioner "file" {
    destination = "rancher-enroll-config"
    content = join("\n", concat(["[default]"], [
      for key, value in local.profile_settings : "${key} = ${value}" if value != ""
    ], [""]))
  }

  provisioner "file" {
    destination = "rancher-enroll-credentials"
    content = join("\n", concat(["[default]"], [
      for key, value in local.credentials : "${key} = ${value}" if value != ""
    ], [""]))
  }

  provisioner "remote-exec" {
    inline = [
      "#!/bin/bash",
      "set -o errexit -o pipefail",
      "sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q ./rancher-enroll.deb",
      "sudo install -D -o root -g root -m 0644 rancher-enroll-config /etc/rancher-enroll/config",
      "sudo install -D -o root -g root -m 0600 rancher-enroll-credentials /etc/rancher-enroll/credentials",
      "rm rancher-enroll.deb rancher-enroll-config rancher-enroll-credentials",
      "sudo rancher-enroll up --output json | tee rancher-enroll-up.json",
    ]
  }

  # remote-exec runs on a terminal, where `down` would ask [y/N] first: --yes answers for Terraform.
  provisioner "remote-exec" {
    when = destroy
    inline = [
      "#!/bin/bash",
      "set -o errexit -o pipefail",
      "sudo rancher-enroll down --yes --output json | tee rancher-enroll-down.json",
    ]
  }
}
