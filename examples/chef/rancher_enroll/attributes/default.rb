# The Rancher server and what to join; the API key or token comes from a data bag or your secrets store.
default['rancher_enroll']['url'] = 'https://rancher.example.com:8080'
# Rancher 1.6: the environment.
default['rancher_enroll']['environment'] = 'Default'
# Rancher 2.x (2.0 to 2.11, RKE1 custom clusters): the cluster, the CA checksum of its registration command (when a
# private CA signed the server's certificate), the node's roles, name, address, and what to wait for (registered or
# active). Any of them, or a token in the data bag item, makes the profile a 2.x one (the environment is left out).
default['rancher_enroll']['cluster'] = nil
default['rancher_enroll']['ca_checksum'] = nil
default['rancher_enroll']['roles'] = []
default['rancher_enroll']['node_name'] = nil
default['rancher_enroll']['address'] = nil
default['rancher_enroll']['wait_for'] = nil
# Host labels (1.6) or node labels (2.x).
default['rancher_enroll']['labels'] = {}
