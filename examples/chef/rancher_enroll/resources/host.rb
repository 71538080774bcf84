# rancher_enroll_host: this machine as a host of Rancher 1.6, through rancher-enroll and the profile it reads.
# Not run in this project's CI (there is no Chef package for it): CI checks only that Ruby parses it.
unified_mode true
provides :rancher_enroll_host

property :profile, String, default: 'default'
property :labels, Hash, default: {}
property :executable, String, default: '/usr/local/bin/rancher-enroll'

# Guards from `rancher-enroll status` exit codes: 0 enrolled and active, 10 not enrolled, 11 unhealthy.
action :enroll do
  unless status_code == 0
    converge_by('enroll this machine into Rancher') { rancher_enroll('up', *label_options) }
  end
end

action :remove do
  unless status_code == 10
    # --yes: the :remove action is the confirmation; down asks only when it runs on a terminal.
    converge_by('take this machine out of Rancher') { rancher_enroll('down', '--yes') }
  end
end

action_class do
  def status_code
    shell_out(new_resource.executable, 'status', '--profile', new_resource.profile).exitstatus
  end

  def label_options
    new_resource.labels.flat_map { |key, value| ['--label', "#{key}=#{value}"] }
  end

  # Runs a command with --output json; a failure fails the Chef run with rancher-enroll's own message.
  def rancher_enroll(command, *options)
    result = shell_out(new_resource.executable, command, '--profile', new_resource.profile, *options,
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
