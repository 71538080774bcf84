# What the cookbook writes and runs, in plain Ruby (no Chef needed, so that CI can run it): the profile's two files,
# and rancher-enroll's options. Secrets go into the credentials file only, never into an option.
module RancherEnroll
  # Rancher 2.x settings: with any of them (or a token), the profile is a 2.x one and names no environment.
  RANCHER2_KEYS = %w(cluster ca_checksum roles node_name address wait_for).freeze

  module_function

  def rancher2?(settings, credentials = {})
    RANCHER2_KEYS.any? { |key| set?(settings[key]) } || set?(credentials['token'])
  end

  # /etc/rancher-enroll/config: the server and each setting that is set (rancher-enroll's defaults apply otherwise).
  def config(settings, credentials = {})
    keys = rancher2?(settings, credentials) ? RANCHER2_KEYS : %w(environment)
    values = keys.map { |key| [key, value_text(settings[key])] }.select { |_, value| set?(value) }
    section(values.unshift(['url', settings['url']]))
  end

  # /etc/rancher-enroll/credentials: the 2.x API token, or the 1.6 API key pair.
  def credentials(item)
    keys = set?(item['token']) ? %w(token) : %w(access_key secret_key)
    section(keys.map { |key| [key, item[key]] })
  end

  # The options of `up` beyond the profile's: labels, and the 2.x node settings given to the resource.
  def up_options(properties)
    labels = (properties['labels'] || {}).sort.flat_map { |key, value| ['--label', "#{key}=#{value}"] }
    roles = Array(properties['roles']).flat_map { |role| ['--role', role] }
    named = %w(cluster node_name address wait_for).select { |name| set?(properties[name]) }
    labels + roles + named.flat_map { |name| ["--#{name.tr('_', '-')}", properties[name]] }
  end

  # What every command takes: the profile, and the CA checksum (status and down trust the same CA as up).
  def server_options(properties)
    options = ['--profile', properties['profile']]
    set?(properties['ca_checksum']) ? options + ['--ca-checksum', properties['ca_checksum']] : options
  end

  def section(pairs)
    "[default]\n" + pairs.map { |key, value| "#{key} = #{value}\n" }.join
  end

  def value_text(value)
    value.is_a?(Array) ? value.join(',') : value
  end

  def set?(value)
    !(value.nil? || (value.respond_to?(:empty?) && value.empty?))
  end
end
