"""Account on azure-cli-core: what it reads from the CLI's cloud definitions (the rest of it is exercised
through the real az, end to end)."""

from types import SimpleNamespace

import pytest
from azure.cli.core.cloud import AZURE_CHINA_CLOUD, AZURE_PUBLIC_CLOUD, AZURE_US_GOV_CLOUD, Cloud

from azext_acrhealth.account import Account


@pytest.mark.parametrize("cloud, acr, storage", [
    (AZURE_PUBLIC_CLOUD, ".azurecr.io", "core.windows.net"),
    (AZURE_CHINA_CLOUD, ".azurecr.cn", "core.chinacloudapi.cn"),
    (AZURE_US_GOV_CLOUD, ".azurecr.us", "core.usgovcloudapi.net"),
])
def test_suffixes_come_from_the_clis_cloud(cloud, acr, storage):
    account = Account(SimpleNamespace(cloud=cloud))
    assert (account.acr_suffix(), account.storage_suffix()) == (acr, storage)


def test_a_cloud_without_suffixes_has_none():
    account = Account(SimpleNamespace(cloud=Cloud("Bare")))
    assert (account.acr_suffix(), account.storage_suffix()) == (None, None)
