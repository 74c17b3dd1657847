"""acrhealth: `az acr check-health` that finds the real cause. The loader only; no logic here."""

from azure.cli.core import AzCommandsLoader

from azext_acrhealth._help import helps  # noqa: F401 - registers the help entries


class AcrHealthCommandsLoader(AzCommandsLoader):
    def __init__(self, cli_ctx=None):
        from azure.cli.core.commands import CliCommandType
        custom = CliCommandType(operations_tmpl="azext_acrhealth.custom#{}")
        super().__init__(cli_ctx=cli_ctx, custom_command_type=custom)

    def load_command_table(self, args):
        from azext_acrhealth.commands import load_command_table
        load_command_table(self, args)
        _take_over_arguments(self.cli_ctx)
        return self.command_table

    def load_arguments(self, command):
        from azext_acrhealth._params import load_arguments
        load_arguments(self, command)


def _take_over_arguments(cli_ctx):
    """Make ours the only loader of `acr check-health`'s arguments.

    azure-cli lists the core acr module as a loader of the command too, so it would import that module's
    whole argument file (about 0.15 s, a quarter of the run) and apply its `acr`-scope settings (such as
    a --name validator that rejects every name on a cloud without a registry suffix) to a command whose
    arguments we declare in full. Extensions load after modules, so the core loader is already listed:
    drop it. Should azure-cli's internals differ, nothing changes and the core settings apply as before.
    """
    try:
        loaders = cli_ctx.invocation.commands_loader.cmd_to_loader_map.get("acr check-health")
        if isinstance(loaders, list):
            loaders[:] = [loader for loader in loaders
                          if not type(loader).__module__.startswith("azure.cli.command_modules.acr")]
    except AttributeError:
        pass


COMMAND_LOADER_CLS = AcrHealthCommandsLoader
