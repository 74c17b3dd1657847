"""The Azure CLI's side of the run: its version, cloud, configuration and logged-in account.

This is the only module that touches azure-cli-core. Tests of single checks hand in a small stand-in
with the same methods (Azure itself cannot exist in a test); the end-to-end suite uses this class
through the real `az`.
"""

import threading
from urllib.parse import urlencode, urlsplit

ACR_AUDIENCE = "https://containerregistry.azure.net"


class LoginError(Exception):
    """No usable Azure login: the message says why, in the CLI's own words where possible."""


class Account:
    def __init__(self, cli_ctx, subscription=None):
        self.cli_ctx = cli_ctx
        self.subscription = subscription
        self._arm_token = None
        self._lock = threading.Lock()

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

    def arm_get(self, path, api_version, timeout):
        """GET an ARM path (or a nextLink URL on the ARM host) -> probes.HttpResult; raises LoginError."""
        with self._lock:   # several checks read ARM at once: ask MSAL for the token once
            if self._arm_token is None:
                self._arm_token = self.token(self.arm_audience())[0]
            token = self._arm_token
        return arm_request(self.arm_endpoint(), token, path, api_version, timeout)


def arm_url(endpoint, path, api_version):
    """The URL of an ARM path, or None when `path` is an absolute URL on a host other than ARM's:
    the ARM token must not follow a nextLink anywhere else."""
    endpoint = endpoint.rstrip("/")
    if "://" in path:
        if urlsplit(path).netloc.lower() != urlsplit(endpoint).netloc.lower():
            return None
        url = path
    else:
        url = endpoint + "/" + path.lstrip("/")
    if "api-version=" not in url:
        url += ("&" if "?" in url else "?") + urlencode({"api-version": api_version})
    return url


def arm_request(endpoint, token, path, api_version, timeout):
    """One ARM GET with the caller's token, through the same timed HTTP edge as every other request."""
    from .probes import Http, HttpResult
    url = arm_url(endpoint, path, api_version)
    if url is None:
        return HttpResult(path, error="invalid", reason="link leaves the Azure Resource Manager host")
    return Http(timeout).get(url, headers={"Authorization": "Bearer " + token, "Accept": "application/json"})


def _first_line(ex):
    text = str(ex).strip() or type(ex).__name__
    return text.splitlines()[0]
