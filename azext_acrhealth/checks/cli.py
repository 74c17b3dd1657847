"""The Azure CLI itself."""

from ..outcome import passed


def cli_version(ctx):
    """Report the running azure-cli version from the account facade: no network call."""
    version = ctx.account.cli_version() if ctx.account else None
    return passed("azure-cli {}".format(version or "(unknown)"), version=version)
