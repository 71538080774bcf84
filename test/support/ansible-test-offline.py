# ansible-test, with Debian's packages in place of the pinned requirements it would install from PyPI.
# Each sanity test runs in a virtual environment that ansible-test makes and fills with pip (PyPI: not reachable
# here). This makes those environments see the system's packages (pylint, pycodestyle, yamllint, voluptuous, Jinja2,
# PyYAML from Debian, installed by scripts/setup.sh) and installs nothing. The checks themselves are ansible-test's.
# Usage: /usr/bin/python3 ansible-test-offline.py sanity --local --python 3.11  (from ansible_collections/NS/NAME/)
import ansible_test._internal.commands.sanity as sanity
from ansible_test._internal import main
from ansible_test._internal.venv import create_virtual_environment


def with_system_packages(args, python, path, system_site_packages=False, pip=False):
    return create_virtual_environment(args, python, path, True, pip)


sanity.create_virtual_environment = with_system_packages
sanity.run_pip = lambda *args, **kwargs: None
main()
