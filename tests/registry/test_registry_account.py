"""Account.arm_get: the ARM token is fetched once and goes only to the cloud's ARM endpoint."""

from types import SimpleNamespace

import pytest

from azext_acrhealth.account import Account, LoginError


class TokenCountingAccount(Account):
    def __init__(self, cli_ctx, fail=False):
        super().__init__(cli_ctx)
        self.asked = []
        self.fail = fail

    def token(self, resource):
        self.asked.append(resource)
        if self.fail:
            raise LoginError("Please run 'az login' to setup account.")
        return "arm-token", "tenant"


def cli_ctx(cloud):
    endpoints = SimpleNamespace(resource_manager=cloud.url + "/", active_directory_resource_id="https://mgmt.fake/")
    return SimpleNamespace(cloud=SimpleNamespace(endpoints=endpoints, name="FakeCloud"))


def test_arm_get_uses_one_token_for_many_calls(cloud):
    acct = TokenCountingAccount(cli_ctx(cloud))
    path = "/subscriptions/{}/providers/Microsoft.ContainerRegistry/registries".format(cloud.scenario.subscription)
    first = acct.arm_get(path, "2023-07-01", 2)
    second = acct.arm_get(path, "2023-07-01", 2)
    assert first.status == second.status == 200 and first.json() == {"value": []}
    assert acct.asked == ["https://mgmt.fake/"]
    assert all(r["authorization"] for r in cloud.requests)


def test_arm_get_without_login_raises_login_error(cloud):
    with pytest.raises(LoginError):
        TokenCountingAccount(cli_ctx(cloud), fail=True).arm_get("/subscriptions", "1", 2)
    assert cloud.requests == []
