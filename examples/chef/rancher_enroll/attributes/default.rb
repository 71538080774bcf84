# The Rancher server and the target environment; the API key comes from a data bag or your secrets store.
default['rancher_enroll']['url'] = 'https://rancher.example.com:8080'
default['rancher_enroll']['environment'] = 'Default'
default['rancher_enroll']['labels'] = {}
