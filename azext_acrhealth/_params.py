"""Arguments of `az acr check-health`. The core acr module's settings for the whole `acr` scope still
apply, so every argument is declared here again, with our own types (syntax errors exit with 2)."""

from ._validators import (
    credentials_validator,
    image_type,
    registry_name_type,
    repository_type,
    timeout_type,
    validate_image,
    vnet_type,
)


def load_arguments(self, _):
    with self.argument_context("acr check-health") as c:
        c.argument("registry_name", options_list=["--name", "-n"], type=registry_name_type,
                   configured_default="acr", validator=None,
                   help="The name of the container registry, or its login server (myregistry.azurecr.io). "
                        "Adds the registry checks. You can configure a default with "
                        "`az configure --defaults acr=<registry name>`.")
        c.argument("ignore_errors", options_list=["--ignore-errors"], action="store_true",
                   help="Run every check even after one fails. The exit status is still 1 when any check "
                        "failed.")
        c.argument("yes", options_list=["--yes", "-y"], action="store_true",
                   help="Pull the sample image without asking. Without a terminal and without --yes, the pull "
                        "check is skipped.")
        c.argument("vnet", options_list=["--vnet"], type=vnet_type,
                   help="Virtual network name or resource ID of this machine: only the registry's private "
                        "endpoints in that network are checked, and their names must resolve here to their "
                        "private IP addresses. Without it, every approved private endpoint is checked.")
        c.argument("repository", options_list=["--repository"], type=repository_type,
                   help="A repository of the registry: check which actions (pull, push, delete, ...) your "
                        "identity is granted on it.")
        c.argument("image", options_list=["--image"], type=image_type, validator=validate_image,
                   help="An image of the registry, as docker pull names it: repository[:tag], "
                        "repository@sha256:<digest>, or myregistry.azurecr.io/repository[:tag]. Proves this "
                        "machine can pull it without Docker: pull permission on the repository, the manifest, "
                        "the platform of the local daemon, and a layer download from the host the registry "
                        "redirects to (data endpoint or storage).")
        c.argument("username", options_list=["--username", "-u"], validator=credentials_validator,
                   help="Check the registry with this user name instead of your Azure identity: the admin user, "
                        "a token's name or a service principal's application ID (as `az acr login -u`). Needs "
                        "--name. The Azure AD token checks are then not run.")
        c.argument("password", options_list=["--password", "-p"],
                   help="The password for --username. A password on the command line is visible to other "
                        "processes and in --debug output: prefer the environment variable "
                        "ACR_CHECK_HEALTH_PASSWORD (or, at a terminal, leave both out to be asked).")
        c.argument("timeout", options_list=["--timeout"], type=timeout_type,
                   help="Seconds to wait for each network request and each tool (default 10). The sample "
                        "image pull gets 120 seconds.")
