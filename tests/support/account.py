"""The one stand-in for the Azure CLI account (account.AzureAccount) in tests that run checks in-process.

Azure itself cannot exist in a test: this account's ARM endpoint is the fake cloud (requests really go
to it over HTTPS, through the checks' edges), and its Azure AD tokens are ones the fake cloud issued.
Without a cloud it serves the environment checks, which only ask for the CLI's version.
"""

from azext_acrhealth.account import ACR_AUDIENCE, LoginError

ARM_AUDIENCE = "https://management.fake.local/"


class StubAccount:
    def __init__(self, cloud=None, suffix=".azurecr.io", login_error=None, cloud_name="AzureCloud",
                 audience=ACR_AUDIENCE, storage_suffix="core.windows.net", config=None):
        self.cloud = cloud
        self.settings = dict(config or {})   # {"section.option": value}, as `az config set` writes them
        self.suffix = suffix
        self.login_error = login_error
        self.name = cloud_name
        self.audience = audience
        self.storage = storage_suffix
        self.calls = []              # (method, argument) in order: what the checks asked of the account
        if cloud is not None:
            scenario = cloud.scenario
            self.aad = cloud.issue({"aud": audience, "tid": scenario.tenant,
                                    "appid": "11111111-2222-3333-4444-555555555555"})
            self.arm_token = cloud.issue({"aud": ARM_AUDIENCE, "tid": scenario.tenant})

    def _asked(self, method, argument=None):
        self.calls.append((method, argument))
        if self.login_error and method in ("token", "subscription_id"):
            raise LoginError(self.login_error)

    def cli_version(self):
        self._asked("cli_version")
        return "2.91.0"

    def cloud_name(self):
        return self.name

    def acr_suffix(self):
        return self.suffix

    def storage_suffix(self):
        return self.storage

    def config(self, section, option, fallback=None):
        return self.settings.get("{}.{}".format(section, option), fallback)

    def acr_audience(self):
        return self.audience

    def token(self, resource):
        self._asked("token", resource)
        if resource == ARM_AUDIENCE:
            return self.arm_token, self.cloud.scenario.tenant
        return self.aad, self.cloud.scenario.tenant

    def subscription_id(self):
        self._asked("subscription_id")
        return self.cloud.scenario.subscription

    def arm_endpoint(self):
        return self.cloud.url

    def arm_audience(self):
        return ARM_AUDIENCE

    def prepare(self):
        self._asked("prepare")

    def audiences(self):
        """The resources tokens were asked for, in order."""
        return [argument for method, argument in self.calls if method == "token"]
