"""The Azure CLI's side of the run: its version, cloud, configuration and logged-in account.

`AzureAccount` is the interface checks and edges use; `Account` implements it on azure-cli-core and is
the only code that touches it. Tests implement the same interface on their fake cloud (Azure itself
cannot exist in a test); the end-to-end suite uses `Account` through the real `az`.
"""

import threading
from typing import Protocol

ACR_AUDIENCE = "https://containerregistry.azure.net"


class LoginError(Exception):
    """No usable Azure login: the message says why, in the CLI's own words where possible."""


class AzureAccount(Protocol):
    def cli_version(self) -> str: ...

    def cloud_name(self) -> str: ...

    def acr_suffix(self) -> str:
        """The cloud's login server suffix ('.azurecr.io'), or None when the cloud defines none."""

    def storage_suffix(self) -> str:
        """The cloud's storage endpoint suffix ('core.windows.net'), or None when the cloud defines none.
        Layer downloads may be redirected to blob storage under it."""

    def config(self, section, option, fallback=None): ...

    def acr_audience(self) -> str:
        """The resource of the Azure AD token for registries (`az config set acr.audience_resource=...`)."""

    def token(self, resource) -> tuple:
        """(access token, tenant id) for resource from the logged-in account; raises LoginError."""

    def subscription_id(self) -> str:
        """The subscription of the run; raises LoginError."""

    def arm_endpoint(self) -> str:
        """Azure Resource Manager's URL in this cloud, without a trailing slash."""

    def arm_audience(self) -> str: ...

    def prepare(self) -> None:
        """Load what token requests need, on the calling thread, before the checks' threads start."""


class Account:
    """AzureAccount on azure-cli-core."""

    # One lock for the whole process: two threads in Profile.get_raw_token at once can drop entries from
    # msal_token_cache.json (a reload without the file lock races the rewrite), a user's refresh token
    # among them, which logs the user out. Tokens come from the cache after the first call, so
    # serialising costs little. See README, Security.
    _lock = threading.RLock()

    def __init__(self, cli_ctx, subscription=None):
        self.cli_ctx = cli_ctx
        self.subscription = subscription
        self._profile = None

    def cli_version(self):
        from azure.cli.core import __version__
        return __version__

    def cloud_name(self):
        return self.cli_ctx.cloud.name

    def acr_suffix(self):
        return self._suffix("acr_login_server_endpoint")

    def storage_suffix(self):
        return self._suffix("storage_endpoint")

    def _suffix(self, name):
        """One of the cloud's suffixes, or None when the cloud defines none."""
        try:
            suffix = getattr(self.cli_ctx.cloud.suffixes, name)
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

    def prepare(self):
        # Imports azure-cli's Profile, MSAL and requests here, once: first imports racing in the checks'
        # threads can meet a partially initialised module.
        from .http_requests import preload
        try:
            preload()
            with self._lock:
                self._get_profile()
        except Exception:  # noqa: BLE001, S110 - only a head start: token() reports any real failure
            pass

    def _get_profile(self):
        if self._profile is None:
            from azure.cli.core._profile import Profile
            self._profile = Profile(cli_ctx=self.cli_ctx)
        return self._profile

    def token(self, resource):
        with self._lock:
            try:
                creds, _, tenant = self._get_profile().get_raw_token(resource=resource, subscription=self.subscription)
            except Exception as ex:  # noqa: BLE001 - CLIError, MSAL and HTTP errors all mean "no token"
                raise LoginError(_first_line(ex)) from None
        return creds[1], tenant

    def subscription_id(self):
        with self._lock:
            try:
                return self._get_profile().get_subscription_id(self.subscription)
            except Exception as ex:  # noqa: BLE001
                raise LoginError(_first_line(ex)) from None

    def arm_endpoint(self):
        return self.cli_ctx.cloud.endpoints.resource_manager.rstrip("/")

    def arm_audience(self):
        return self.cli_ctx.cloud.endpoints.active_directory_resource_id


def _first_line(ex):
    text = str(ex).strip() or type(ex).__name__
    return text.splitlines()[0]
