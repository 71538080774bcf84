// Run by the test bed's OCI runtime wrapper before `runc create` (plain JavaScript: containerd runs it without
// tsx), with the same arguments. This sandbox's capability bounding set lacks some capabilities
// (CAP_SYS_RESOURCE), so runc cannot grant them and `--privileged` fails with "unable to apply caps":
// drop what this process cannot grant from the bundle's config.json.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

// Linux capability numbers are the indexes in this list (include/uapi/linux/capability.h).
const CAPABILITIES = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
];

function boundingSet() {
  const line = readFileSync("/proc/self/status", "utf8").match(/^CapBnd:\s*([0-9a-f]+)$/m);
  if (!line) throw new Error("no CapBnd line in /proc/self/status");
  const mask = BigInt(`0x${line[1]}`);
  return new Set(CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n));
}

function bundleDir(args) {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--bundle" || args[i] === "-b") return args[i + 1];
    if (args[i].startsWith("--bundle=")) return args[i].slice("--bundle=".length);
  }
  return process.cwd();
}

// A negative OOM score adjustment (rancher-agent asks for -500) needs CAP_SYS_RESOURCE too.
function dropWhatCannotBeGranted(configPath) {
  const config = JSON.parse(readFileSync(configPath, "utf8"));
  const held = boundingSet();
  const capabilities = config.process?.capabilities ?? {};
  for (const [kind, names] of Object.entries(capabilities)) {
    capabilities[kind] = names.filter((name) => held.has(name));
  }
  if (config.process?.oomScoreAdj < 0 && !held.has("CAP_SYS_RESOURCE")) delete config.process.oomScoreAdj;
  writeFileSync(configPath, JSON.stringify(config));
}

dropWhatCannotBeGranted(join(bundleDir(process.argv.slice(2)), "config.json"));
