# Enrolls a machine that Terraform reaches over SSH into Rancher 1.6 when this resource is created, and takes it out
# of Rancher when the resource is destroyed; rancher-enroll's JSON result is shown in Terraform's output and kept on
# the machine. The machine (Debian or Ubuntu) gets rancher-enroll from its .deb, uploaded from where Terraform runs
# (`npm run release` builds it). docs/integrations.md, section "Terraform".

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
  type    = string
  default = "Default"
}

variable "host_labels" {
  type        = string
  description = "Host labels: KEY=VALUE pairs joined by '&'."
  default     = ""
}

variable "rancher_access_key" {
  type      = string
  sensitive = true
}

variable "rancher_secret_key" {
  type      = string
  sensitive = true
}

resource "terraform_data" "rancher_host" {
  # A destroy-time provisioner may refer only to the resource itself: what its connection needs is kept here.
  input = {
    host             = var.host
    port             = var.ssh_port
    user             = var.ssh_user
    private_key_file = var.ssh_private_key_file
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

  # The profile goes up as files, so that no command line and no log shows the API key.
  provisioner "file" {
    destination = "rancher-enroll-config"
    content     = <<-EOT
      [default]
      url = ${var.rancher_url}
      environment = ${var.rancher_environment}
      labels = ${var.host_labels}
    EOT
  }

  provisioner "file" {
    destination = "rancher-enroll-credentials"
    content     = <<-EOT
      [default]
      access_key = ${var.rancher_access_key}
      secret_key = ${var.rancher_secret_key}
    EOT
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

  provisioner "remote-exec" {
    when = destroy
    inline = [
      "#!/bin/bash",
      "set -o errexit -o pipefail",
      "sudo rancher-enroll down --output json | tee rancher-enroll-down.json",
    ]
  }
}
