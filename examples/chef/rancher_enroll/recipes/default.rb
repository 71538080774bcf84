# Writes the rancher-enroll profile (the API key from the data bag item rancher/api_key) and enrolls this machine.
settings = node['rancher_enroll']
api_key = data_bag_item('rancher', 'api_key')

directory '/etc/rancher-enroll' do
  mode '0755'
end

file '/etc/rancher-enroll/config' do
  content "[default]\nurl = #{settings['url']}\nenvironment = #{settings['environment']}\n"
  mode '0644'
end

file '/etc/rancher-enroll/credentials' do
  content "[default]\naccess_key = #{api_key['access_key']}\nsecret_key = #{api_key['secret_key']}\n"
  mode '0600'
  sensitive true
end

rancher_enroll_host 'this machine' do
  labels settings['labels'].to_h
end
