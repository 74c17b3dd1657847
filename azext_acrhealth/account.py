"""The Azure CLI's side of the run: its version, cloud, configuration and logged-in account.

This is the only module that touches azure-cli-core. Tests of single checks hand in a small stand-in
with the same methods (Azure itself cannot exist in a test); the end-to-end suite uses this class
through the real `az`.
"""

ACR_AUDIENCE = "https://containerregistry.azure.net"


class LoginError(Exception):
    """No usable Azure login: the message says why, in the CLI's own words where possible."""


class Account:
    def __init__(self, cli_ctx, subscription=None):
        self.cli_ctx = cli_ctx
        self.subscription = subscription

    def cli_version(self):
        from azure.cli.core import __version__
        return __version__

    def cloud_name(self):
        return self.cli_ctx.cloud.name

    def acr_suffix(self):
        """The cloud's login server suffix ('.azurecr.io'), or None when the cloud defines none."""
        try:
            suffix = self.cli_ctx.cloud.suffixes.acr_login_server_endpoint
        except Exception:  # noqa: BLE001 - CloudSuffixNotSetException and friends
            return None
        return suffix or None

    def config(self, section, option, fallback=None):
        try:
            return self.cli_ctx.config.get(section, option, fallback)
        except Exception:  # noqa: BLE001 - a broken config file is not our diagnosis
            return fallback

    def acr_audience(self):
        return self.config("acr", "audience_resource", ACR_AUDIENCE) or ACR_AUDIENCE

    def token(self, resource):
        """(access token, tenant id) for resource from the logged-in account; raises LoginError."""
        from azure.cli.core._profile import Profile
        try:
            profile = Profile(cli_ctx=self.cli_ctx)
            creds, _, tenant = profile.get_raw_token(resource=resource, subscription=self.subscription)
        except Exception as ex:  # noqa: BLE001 - CLIError, MSAL and HTTP errors all mean "no token"
            raise LoginError(_first_line(ex)) from None
        return creds[1], tenant

    def subscription_id(self):
        from azure.cli.core._profile import Profile
        try:
            return Profile(cli_ctx=self.cli_ctx).get_subscription_id(self.subscription)
        except Exception as ex:  # noqa: BLE001
            raise LoginError(_first_line(ex)) from None

    def arm_endpoint(self):
        return self.cli_ctx.cloud.endpoints.resource_manager.rstrip("/")

    def arm_audience(self):
        return self.cli_ctx.cloud.endpoints.active_directory_resource_id


def _first_line(ex):
    text = str(ex).strip() or type(ex).__name__
    return text.splitlines()[0]
