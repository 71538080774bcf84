# Shared by the packages' removal scripts (scripts/release/: the .deb's postrm, the .rpm's %postun): what this
# machine still is in Rancher, from the record that `rancher-enroll up` keeps (never removed with the package).
enrollment_note() {
  record=/var/lib/rancher-enroll/enrollment.json
  [ -f "$record" ] || return 0
  host=$(sed -n 's/^  "\(memberId\|hostId\)": "\(.*\)",\{0,1\}$/\2/p' "$record")
  server=$(sed -n 's/^  "server": "\(.*\)",\{0,1\}$/\1/p' "$record")
  [ -n "$host" ] || return 0
  echo "rancher-enroll: this machine is still enrolled in Rancher: host $host on $server; its agent container" >&2
  echo "  keeps running. To take it out of Rancher: install rancher-enroll again and run \`rancher-enroll down\`." >&2
}
