# rancher_enroll_host: this machine as a host of Rancher 1.6 or a node of a Rancher 2.x cluster, through
# rancher-enroll and the profile it reads (the recipe writes it; the API key or token stays in its credentials file).
# Not run in this project's CI (there is no Chef package for it): CI checks that Ruby parses it, and runs
# libraries/settings.rb, which builds its options.
unified_mode true
provides :rancher_enroll_host

property :profile, String, default: 'default'
property :labels, Hash, default: {}
# Rancher 2.x: each defaults to the profile's.
property :cluster, String
property :ca_checksum, String
property :roles, Array, default: []
property :node_name, String
property :address, String
property :wait_for, String, equal_to: %w(registered active)
property :executable, String, default: '/usr/bin/rancher-enroll'

# Guards from `rancher-enroll status` exit codes: 0 enrolled and active, 10 not enrolled, 11 unhealthy.
action :enroll do
  unless status_code == 0
    converge_by('enroll this machine into Rancher') { rancher_enroll('up', *RancherEnroll.up_options(properties)) }
  end
end

action :remove do
  unless status_code == 10
    # --yes: the :remove action is the confirmation; down asks only when it runs on a terminal.
    converge_by('take this machine out of Rancher') { rancher_enroll('down', '--yes') }
  end
end

action_class do
  def properties
    %w(profile labels cluster ca_checksum roles node_name address wait_for).to_h do |name|
      [name, new_resource.send(name)]
    end
  end

  def status_code
    shell_out(new_resource.executable, 'status', *RancherEnroll.server_options(properties)).exitstatus
  end

  # Runs a command with --output json; a failure fails the Chef run with rancher-enroll's own message.
  def rancher_enroll(command, *options)
    result = shell_out(new_resource.executable, command, *RancherEnroll.server_options(properties), *options,
                       '--output', 'json', timeout: 900)
    outcome = begin
      JSON.parse(result.stdout)
    rescue JSON::ParserError
      { 'error' => { 'message' => result.stderr.strip } }
    end
    return outcome if outcome['ok']

    raise "rancher-enroll #{command}: #{outcome.dig('error', 'message')}"
  end
end
