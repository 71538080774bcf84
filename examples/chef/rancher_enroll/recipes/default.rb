# Writes the rancher-enroll profile and enrolls this machine. The data bag item rancher/api_key holds the API key
# (access_key, secret_key) for Rancher 1.6, or the API token (token) for Rancher 2.x.
settings = node['rancher_enroll']
credentials = data_bag_item('rancher', 'api_key')

directory '/etc/rancher-enroll' do
  mode '0755'
end

file '/etc/rancher-enroll/config' do
  content RancherEnroll.config(settings, credentials)
  mode '0644'
end

file '/etc/rancher-enroll/credentials' do
  content RancherEnroll.credentials(credentials)
  mode '0600'
  sensitive true
end

rancher_enroll_host 'this machine' do
  labels settings['labels'].to_h
end
