"""Help of `az acr check-health`."""

from knack.help_files import helps

helps["acr check-health"] = """
type: command
short-summary: Diagnose the local environment and, optionally, the connection to a registry.
long-summary: |
    Checks the Docker client and daemon, Docker credentials, the Azure CLI and Helm, and with
    --name the registry's login server, DNS, TLS, the authentication challenge, the Azure
    Active Directory token exchange, and the login Docker stored for the registry (or, with
    --username, that user's password).
    The report goes to stderr, one line per check; the structured result goes to stdout
    (-o json, yaml, table, tsv). The exit status is 0 when no check failed and 1 otherwise.
    By default the command stops at the first failure; --ignore-errors runs every check.
    Error codes are explained at https://aka.ms/acr/errors.
examples:
  - name: Gets health state with target registry 'myregistry', skipping confirmation for pulling image.
    text: >
        az acr check-health -n myregistry -y
  - name: Gets health state of the environment, without stopping on first error.
    text: >
        az acr check-health --ignore-errors
  - name: Gets health state with target registry 'myregistry', and checks allowed permissions to the specific repository 'myrepo'.
    text: >
        az acr check-health -n myregistry --repository myrepo
  - name: Get the result as JSON and list the codes of the checks that failed.
    text: >
        az acr check-health -n myregistry -y -o json --query "checks[?status=='failed'].code"
  - name: In a CI pipeline, run every check without prompting; the step fails (exit status 1) if any check failed.
    text: >
        az acr check-health -n myregistry --ignore-errors --yes -o table
  - name: Check that this machine can pull the image 'myrepo:v1' of registry 'myregistry', layers included, without Docker.
    text: >
        az acr check-health -n myregistry --image myrepo:v1
  - name: Check a token (or the admin user, or a service principal) instead of your Azure identity; in CI, give the password in ACR_CHECK_HEALTH_PASSWORD rather than on the command line.
    text: >
        ACR_CHECK_HEALTH_PASSWORD=$TOKEN_PASSWORD az acr check-health -n myregistry -u mytoken --repository myrepo
  - name: Check that private endpoint names of the registry resolve to private addresses in a virtual network.
    text: >
        az acr check-health -n myregistry --vnet myvnet
"""
