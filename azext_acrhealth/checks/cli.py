"""The Azure CLI itself."""

from ..outcome import passed


def cli_version(ctx, _given):
    """Report the running azure-cli version from the account facade: no network call."""
    version = ctx.account.cli_version()
    return passed("azure-cli {}".format(version or "(unknown)"), version=version)
