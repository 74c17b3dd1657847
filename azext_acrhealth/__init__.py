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
        return self.command_table

    def load_arguments(self, command):
        from azext_acrhealth._params import load_arguments
        load_arguments(self, command)


COMMAND_LOADER_CLS = AcrHealthCommandsLoader
