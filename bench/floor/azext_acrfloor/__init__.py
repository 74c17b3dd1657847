"""The floor: `az acr check-health` replaced by a command that does nothing (ACRFLOOR unset), or only
what any registry check needs first (ACRFLOOR=tokens): requests and MSAL imported, the ARM token and the
registry's Azure AD token from azure-cli's Profile. It takes over the command's arguments the way
acrhealth does, so the core acr module's argument file is not loaded either. Never installed but by
bench/compare.py."""

import os

from azure.cli.core import AzCommandsLoader


class FloorLoader(AzCommandsLoader):
    def __init__(self, cli_ctx=None):
        from azure.cli.core.commands import CliCommandType
        super().__init__(cli_ctx=cli_ctx, custom_command_type=CliCommandType(operations_tmpl="azext_acrfloor#{}"))

    def load_command_table(self, args):
        with self.command_group("acr") as g:
            g.custom_command("check-health", "check_health")
        try:
            loaders = self.cli_ctx.invocation.commands_loader.cmd_to_loader_map.get("acr check-health")
            if isinstance(loaders, list):
                loaders[:] = [x for x in loaders if not type(x).__module__.startswith("azure.cli.command_modules.acr")]
        except AttributeError:
            pass
        return self.command_table

    def load_arguments(self, command):
        with self.argument_context("acr check-health") as c:
            c.argument("registry_name", options_list=["--name", "-n"], validator=None)
            c.argument("yes", options_list=["--yes", "-y"], action="store_true")
            c.argument("ignore_errors", options_list=["--ignore-errors"], action="store_true")


def check_health(cmd, registry_name=None, yes=False, ignore_errors=False):
    if registry_name and os.environ.get("ACRFLOOR") == "tokens":
        import requests  # noqa: F401 - what our HTTP requests need; MSAL imports it too
        from azure.cli.core._profile import Profile
        profile = Profile(cli_ctx=cmd.cli_ctx)
        profile.get_raw_token(resource=cmd.cli_ctx.cloud.endpoints.active_directory_resource_id)
        profile.get_raw_token(resource="https://containerregistry.azure.net")
    return {"status": "passed", "checks": []}


COMMAND_LOADER_CLS = FloorLoader
