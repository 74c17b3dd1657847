"""Account, on azure-cli-core: what it reads from the CLI's cloud definitions, and Profile token calls
serialised across the whole process.

Two threads in Profile.get_raw_token at once can drop entries from msal_token_cache.json (MSAL reloads
the file without its lock while another thread rewrites it). The real race needs azure-cli's MSAL cache
under load; here a stand-in Profile, the one thing replaced, records how many calls overlap.
"""

import threading
import time
from types import SimpleNamespace

import pytest
from azure.cli.core.cloud import AZURE_CHINA_CLOUD, AZURE_PUBLIC_CLOUD, AZURE_US_GOV_CLOUD, Cloud

from azext_acrhealth.account import Account, LoginError


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


class RecordingProfile:
    def __init__(self, shared):
        self.shared = shared

    def get_raw_token(self, resource=None, subscription=None):
        with self.shared["lock"]:
            self.shared["inside"] += 1
            self.shared["most"] = max(self.shared["most"], self.shared["inside"])
        time.sleep(0.02)
        with self.shared["lock"]:
            self.shared["inside"] -= 1
        if resource == "broken":
            raise RuntimeError("AADSTS700016: application not found\nmore lines")
        return ("Bearer", "token-for-" + resource, {}), subscription, "tenant"

    def get_subscription_id(self, subscription=None):
        return self.get_raw_token("subscription")[1]


def test_token_calls_never_overlap_even_from_two_accounts():
    shared = {"lock": threading.Lock(), "inside": 0, "most": 0}
    accounts = []
    for _ in range(2):
        account = Account(cli_ctx=None)
        account._profile = RecordingProfile(shared)
        accounts.append(account)
    threads = [threading.Thread(target=accounts[i % 2].token if i % 3 else accounts[i % 2].subscription_id,
                                args=("https://containerregistry.azure.net",) if i % 3 else ())
               for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert shared["most"] == 1


def test_a_failed_token_call_is_a_login_error_with_its_first_line():
    account = Account(cli_ctx=None)
    account._profile = RecordingProfile({"lock": threading.Lock(), "inside": 0, "most": 0})
    assert account.token("https://containerregistry.azure.net") == ("token-for-https://containerregistry.azure.net",
                                                                    "tenant")
    with pytest.raises(LoginError, match=r"^AADSTS700016: application not found$"):
        account.token("broken")


_PREPARED = """
import json, sys, threading
from azure.cli.core import get_default_cli
from azext_acrhealth.account import Account
threads = threading.active_count()
Account(get_default_cli()).prepare()
print(json.dumps({"modules": sorted(sys.modules), "threads": threading.active_count() - threads}))
"""


def test_prepare_imports_the_http_stack_and_the_profile_on_the_calling_thread(tmp_path):
    # Two threads importing requests (or azure-cli's Profile) for the first time at once can be handed a
    # partially initialised module: a registry run imports them all before its checks' threads start.
    import json
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    env = {"PATH": "", "PYTHONPATH": str(root), "HOME": str(tmp_path), "AZURE_CONFIG_DIR": str(tmp_path / "config"),
           "AZURE_CORE_COLLECT_TELEMETRY": "false"}
    proc = subprocess.run([sys.executable, "-c", _PREPARED], cwd=root, env=env, timeout=120, capture_output=True,
                          text=True, check=True)
    found = json.loads(proc.stdout)
    needed = {"requests", "requests.utils", "urllib3", "urllib3.util", "azure.cli.core._profile",
              "azext_acrhealth.http_requests", "azext_acrhealth.resolver", "azext_acrhealth.tls"}
    assert needed <= set(found["modules"]), needed - set(found["modules"])
    assert found["threads"] == 0
