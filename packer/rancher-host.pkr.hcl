# An image for Rancher 1.6 hosts: Debian 12 with Docker and rancher-enroll (its .deb), and without a machine
# identity, so that every machine made from it enrolls as a host of its own (at boot: cloud-init/user-data-baked.yaml,
# or the unit the .deb installs, systemd/rancher-enroll.service). Packer 1.7 and later:
# `packer plugins install github.com/hashicorp/amazon` first.
# Another builder: replace the source block; the provisioner stays as it is.

variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "rancher_enroll_package_url" {
  type        = string
  description = "Where rancher-enroll's .deb is published (`npm run release` builds it)."
  default     = "https://downloads.example.com/rancher-enroll/v0.1.0/rancher-enroll_0.1.0_amd64.deb"
}

variable "rancher_enroll_sha256" {
  type        = string
  description = "The .deb's SHA-256 (its line in the release's SHA256SUMS)."
}

variable "agent_image" {
  type        = string
  description = "The agent image of your Rancher server (Admin > Settings), pulled into the image ahead of time."
  default     = "rancher/agent:v1.2.11"
}

source "amazon-ebs" "debian" {
  region        = var.region
  instance_type = "t3.small"
  ssh_username  = "admin"
  ami_name      = "rancher-host-{{timestamp}}"
  source_ami_filter {
    filters = {
      name                = "debian-12-amd64-*"
      virtualization-type = "hvm"
    }
    owners      = ["136693071363"]
    most_recent = true
  }
}

build {
  sources = ["source.amazon-ebs.debian"]

  provisioner "shell" {
    environment_vars = [
      "RANCHER_ENROLL_PACKAGE_URL=${var.rancher_enroll_package_url}",
      "RANCHER_ENROLL_SHA256=${var.rancher_enroll_sha256}",
      "AGENT_IMAGE=${var.agent_image}",
    ]
    execute_command = "chmod +x {{ .Path }}; sudo {{ .Vars }} {{ .Path }}"
    inline = [
      "command -v docker >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io; }",
      "curl -fsSL -o /var/cache/rancher-enroll.deb \"$RANCHER_ENROLL_PACKAGE_URL\"",
      "echo \"$RANCHER_ENROLL_SHA256  /var/cache/rancher-enroll.deb\" | sha256sum --check --strict -",
      "dpkg -i /var/cache/rancher-enroll.deb",
      "rm /var/cache/rancher-enroll.deb",
      "rancher-enroll prepare --agent-image \"$AGENT_IMAGE\" --clean",
    ]
  }
}
