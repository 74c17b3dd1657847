"""Every error code `az acr check-health` can report: the single source of truth.

The codes of the public error reference (aka.ms/acr/errors) keep their names, meanings and potential
solutions word for word; codes added by this extension follow the same style. README.md's error
reference is generated from this module (`python -m azext_acrhealth.catalogue`) and a test keeps
the two identical.
"""

from dataclasses import dataclass

LINK = "https://aka.ms/acr/errors#{}"


@dataclass(frozen=True)
class Code:
    name: str
    meaning: str
    solutions: tuple
    origin: str  # "document", "built-in" or "acrhealth": where the code was first defined

    @property
    def link(self):
        return LINK.format(self.name.lower())


_CODES = (
    # --- the public error reference, verbatim ---
    Code("DOCKER_COMMAND_ERROR",
         "This error means that Docker client for CLI could not be found, which precludes finding Docker "
         "version, evaluating Docker daemon status and ensuring Docker pull command can be run.",
         ("installing Docker client", "adding Docker path to the system variables."), "document"),
    Code("DOCKER_DAEMON_ERROR",
         "This error means that the Docker daemon status is unavailable, or that it could not be reached "
         "using the CLI. This means that Docker operations (e.g., login, pull) will be unavailable through "
         "the CLI.",
         ("Restart Docker daemon, or validate that it is properly installed.",), "document"),
    Code("DOCKER_VERSION_ERROR",
         "This error means that CLI was not able to run the command `Docker --version`.",
         ("try running the command manually, make sure you have the latest CLI version, and investigate "
          "the error message.",), "document"),
    Code("DOCKER_PULL_ERROR",
         "This error means that the CLI was not able to pull a sample image to your environment.",
         ("validate that all components necessary to pull an image are running properly.",), "document"),
    Code("HELM_COMMAND_ERROR",
         "This error means that Helm client could not be found by the CLI, which precludes other Helm "
         "operations.",
         ("verify that Helm client is installed, and that its path is added to the system environment "
          "variables.",), "document"),
    Code("HELM_VERSION_ERROR",
         "This error means that the CLI was unable to determine the Helm version installed. This can happen "
         "if the Azure CLI version (or if the Helm version) being used is obsolete.",
         ("update to the latest Azure CLI version or to the recommended Helm version",
          "run the command manually and investigate the error message."), "document"),
    Code("CONNECTIVITY_DNS_ERROR",
         "This error means that the DNS for the given registry login server was pinged but did not respond, "
         "which means it is unavailable. This can indicate some connectivity issues. This can also mean that "
         "the registry does not exist, that the user does not have the permissions on the registry (to "
         "retrieve its login server properly), or that the target registry is in a different cloud than the "
         "one being used in the Azure CLI.",
         ("validate connectivity",
          "verify spelling of the registry, and that registry exists",
          "verify that the user has the right permissions on it and that the registry's cloud is the same "
          "that is being used on Azure CLI."), "document"),
    Code("CONNECTIVITY_FORBIDDEN_ERROR",
         "This means that the challenge endpoint for the given registry responded with a 403 Forbidden HTTP "
         "status. This means that users don't have access to the registry, most likely due to a VNET "
         "configuration.",
         ("remove virtual network rules or add the current client IP address to the allowed list.",),
         "document"),
    Code("CONNECTIVITY_CHALLENGE_ERROR",
         "This error means that the challenge endpoint of the target registry did not issue a challenge.",
         ("try again after some time. If error persists, please open an issue at https://aka.ms/acr/issues.",),
         "document"),
    Code("CONNECTIVITY_AAD_LOGIN_ERROR",
         "This error means that the challenge endpoint of the target registry issued a challenge, but the "
         "registry does not support Azure Active Directory authentication.",
         ("try a different way to authenticate, for example, with admin credentials. In case the user wants "
          "to authenticate using Azure Active Directory, please open an issue at https://aka.ms/acr/issues.",),
         "document"),
    Code("CONNECTIVITY_REFRESH_TOKEN_ERROR",
         "This means that the registry login server did not respond with a refresh token, which means that "
         "the access to the target registry was denied. This can happen if the user does not have the right "
         "permissions on the registry or if the user credentials for Azure CLI are obsolete.",
         ("verify if the user has the right permissions on the registry",
          "run `az login` to refresh permissions, tokens and credentials."), "document"),
    Code("CONNECTIVITY_ACCESS_TOKEN_ERROR",
         "This means that the registry login server did not respond with an access token, which means that "
         "the access to the target registry was denied. This can happen if the user does not have the right "
         "permissions on the registry or if the user credentials for Azure CLI are obsolete.",
         ("verify if the user has the right permissions on the registry",
          "run `az login` to refresh permissions, tokens and credentials."), "document"),
    Code("LOGIN_SERVER_ERROR",
         "This means that the CLI was unable to find the login server of the given registry, and no default "
         "suffix was found for the current cloud. This can happen if the registry does not exist, if the "
         "user does not have the right permissions on the registry, if the registry's cloud and the current "
         "Azure CLI cloud do not match, or if the Azure CLI version is obsolete.",
         ("verify that the spelling is correct and that the registry exist",
          "verify if user has the right permissions on the registry, and that the clouds of the registry and "
          "the CLI environment match",
          "update Azure CLI to the latest version."), "document"),
    # --- codes the built-in command added later; same names and meanings ---
    Code("CONNECTIVITY_SSL_ERROR",
         "This error means that a secure (TLS) connection to the registry could not be established: the "
         "certificate presented was not trusted or did not match the registry's name. A proxy or firewall "
         "that intercepts HTTPS traffic is the most common cause.",
         ("if you are behind a proxy that inspects HTTPS traffic, add its CA certificate to the bundle named "
          "by REQUESTS_CA_BUNDLE",
          "check that HTTPS_PROXY and NO_PROXY are set as your network requires."), "built-in"),
    Code("CONNECTIVITY_TOOMANYREQUESTS_ERROR",
         "This error means that the registry throttled the request (429 Too Many Requests) and denied "
         "access for now.",
         ("wait a moment before trying again",
          "reduce the rate of requests to the registry, or move to a higher service tier."), "built-in"),
    Code("CMK_ERROR",
         "This error means that the registry is encrypted with a customer-managed key, but the managed "
         "identity used to access that key does not exist.",
         ("restore or recreate the user-assigned identity used for encryption, or rotate the key to an "
          "identity that exists, with `az acr encryption rotate-key`.",), "built-in"),
    # --- codes added by acrhealth ---
    Code("DOCKER_CREDENTIAL_HELPER_ERROR",
         "This error means that the Docker client configuration names a credential store or credential "
         "helper whose program `docker-credential-<name>` cannot be found, or that the configuration file "
         "cannot be read. `docker login` and `az acr login` fail until it is fixed.",
         ("install the missing credential helper, or remove the `credsStore`/`credHelpers` entry from the "
          "Docker configuration file",
          "fix or remove a malformed Docker configuration file."), "acrhealth"),
    Code("HELM_OCI_WARNING",
         "This warning means that the installed Helm 3 is older than 3.8.0, the first release with stable "
         "support for OCI registries; pushing and pulling charts to and from Azure Container Registry needs "
         "it.",
         ("update Helm to 3.8.0 or later.",), "acrhealth"),
    Code("AZURE_LOGIN_ERROR",
         "This error means that the Azure CLI has no usable login: no account is logged in, or its "
         "credentials have expired or been revoked, so no Azure Active Directory token for the registry can "
         "be obtained.",
         ("run `az login` (or `az login --service-principal` / `--identity` in automation)",
          "check that the selected subscription and tenant are the ones of the registry."), "acrhealth"),
    Code("CONNECTIVITY_REALM_ERROR",
         "This error means that the registry's challenge names a token server (realm) that is not the "
         "registry itself, not under the cloud's registry domain, or not HTTPS. The Azure Active Directory "
         "token is not sent to such a server.",
         ("check for a proxy or DNS entry that redirects the registry's name to another server",
          "if the registry is behind a gateway you trust, authenticate with `docker login` directly."),
         "acrhealth"),
    Code("CLOCK_SKEW_WARNING",
         "This warning means that the local clock differs from the registry's clock by more than five "
         "minutes. Tokens may be rejected as not yet valid or already expired.",
         ("synchronise the system clock (for example, enable NTP).",), "acrhealth"),
    Code("REPOSITORY_PERMISSION_ERROR",
         "This error means that the access token issued for the given repository does not grant every "
         "action that was requested: the identity lacks some permissions on that repository.",
         ("assign a role that grants the missing actions on the repository (for example AcrPush, or the "
          "Container Registry Repository Writer role on ABAC-enabled registries).",), "acrhealth"),
    Code("PRIVATE_ENDPOINT_DNS_ERROR",
         "This error means that a name of the registry's private endpoint does not resolve, from this "
         "machine, to the private IP address of that endpoint, so traffic to the registry does not go "
         "through the private link.",
         ("link the private DNS zone (privatelink.azurecr.io) to the virtual network, or add the missing "
          "records",
          "check custom DNS servers and conditional forwarders of the virtual network."), "acrhealth"),
    Code("DATA_ENDPOINT_ERROR",
         "This error means that a dedicated data endpoint of the registry, from which image layers are "
         "downloaded, cannot be resolved or reached from this machine, although the login server can.",
         ("allow the data endpoint names (<registry>.<region>.data.azurecr.io) through the firewall",
          "add DNS records for the data endpoints when using private endpoints."), "acrhealth"),
    Code("IMAGE_NOT_FOUND_ERROR",
         "This error means that the registry has no image by the given name: the repository does not exist, or "
         "it has no such tag or digest. Docker may report this as 'not found', 'manifest unknown' or even "
         "'unauthorized'.",
         ("check the spelling of the repository and the tag (the repository is lower case)",
          "list the repository's tags with `az acr repository show-tags`, or push the image first."), "acrhealth"),
    Code("IMAGE_MANIFEST_ERROR",
         "This error means that the registry's answer for the image manifest could not be used: the request "
         "failed, the registry answered with an error, or the content did not match its digest.",
         ("try again after some time; if the content does not match its digest, check for a proxy that alters "
          "traffic to the registry",
          "if the error persists, open an issue at https://aka.ms/acr/issues with the correlation id."), "acrhealth"),
    Code("LAYER_DOWNLOAD_ERROR",
         "This error means that an image layer could not be downloaded from the host the registry redirects "
         "downloads to (a dedicated data endpoint, <registry>.<region>.data.azurecr.io, or blob storage, "
         "*.blob.core.windows.net): its name does not resolve, the connection is blocked, it refused the "
         "request, or the content did not match its digest. `docker pull` then fails after the manifest.",
         ("allow outbound HTTPS to the data endpoints (or to *.blob.core.windows.net) in firewalls and proxies",
          "with private endpoints, add the data endpoint records to the private DNS zone (privatelink.azurecr.io)",
          "allow this machine in the registry's network rules, which apply to data endpoints as well."),
         "acrhealth"),
    Code("IMAGE_PLATFORM_WARNING",
         "This warning means that the image has no variant for the platform of the local Docker daemon (or "
         "linux/amd64 when Docker did not say), so `docker pull` fails with 'no matching manifest', or the "
         "image pulls but does not run.",
         ("build and push the image for that platform as well (for example with `docker buildx build "
          "--platform`)",
          "pull the image on a machine of a platform it has."), "acrhealth"),
    Code("PUBLIC_ACCESS_DISABLED_ERROR",
         "This error means that the registry's public network access is disabled, and this machine resolves the "
         "registry's login server or a data endpoint to a public address: the registry refuses every request that "
         "reaches its public endpoint. Either this machine is outside the registry's private network, or its DNS "
         "server does not answer from the privatelink.azurecr.io zone.",
         ("use the registry from a virtual network with a private endpoint of the registry, or one connected to it",
          "link the private DNS zone privatelink.azurecr.io to that virtual network, or forward privatelink.azurecr.io "
          "to Azure DNS (168.63.129.16) from your DNS server",
          "enable public access for selected networks with `az acr update --public-network-enabled true "
          "--default-action Deny`, and allow your address with `az acr network-rule add`."), "acrhealth"),
    Code("DOCKER_LOGIN_EXPIRED_ERROR",
         "This error means that the credential Docker stored for the registry is an Azure Container Registry "
         "refresh token (the one `az acr login` stores, for the user 00000000-0000-0000-0000-000000000000) "
         "that has expired, or is about to: it lives about three hours. Docker sends it with every pull and "
         "push, and the registry answers 'unauthorized'.",
         ("run `az acr login` again before using the registry",
          "in long-running jobs, log in again before each use, or use a credential that lasts longer (a "
          "token or a service principal)",
          "if the registry allows anonymous pull and you only pull, remove the stored login with "
          "`docker logout`."), "acrhealth"),
    Code("DOCKER_LOGIN_REJECTED_ERROR",
         "This error means that the registry's token server rejects the credential Docker stored for the "
         "registry: a refresh token that was revoked, an admin user that was disabled or whose password was "
         "regenerated, a token that was disabled, deleted or whose password expired, or a service principal "
         "whose secret expired. Docker sends it with every pull and push, and they fail with 'unauthorized'.",
         ("run `az acr login` to replace it with a token for your Azure identity",
          "or log in again with `docker login` and a current password",
          "if the registry allows anonymous pull and you only pull, remove the stored login with "
          "`docker logout`."), "acrhealth"),
    Code("HELM_LOGIN_EXPIRED_ERROR",
         "This error means that the credential Helm stored for the registry with `helm registry login` is an "
         "Azure Container Registry refresh token (as `az acr login --expose-token` gives it) that has expired, "
         "or is about to: it lives about three hours. Helm keeps its own registry login, apart from Docker's, and "
         "sends it with every `helm push` and `helm pull` instead of Docker's; the registry answers "
         "'unauthorized'.",
         ("log Helm in again: `az acr login -n <registry> --expose-token --output tsv --query accessToken | helm "
          "registry login <registry>.azurecr.io --username 00000000-0000-0000-0000-000000000000 --password-stdin`",
          "or remove Helm's own login with `helm registry logout <registry>.azurecr.io`: Helm then sends Docker's "
          "stored login, which `az acr login` renews",
          "in long-running jobs, log in again before each use, or use a credential that lasts longer (a token or "
          "a service principal)."), "acrhealth"),
    Code("HELM_LOGIN_REJECTED_ERROR",
         "This error means that the registry's token server rejects the credential Helm stored for the registry "
         "with `helm registry login`: a refresh token that was revoked, an admin user that was disabled or whose "
         "password was regenerated, a token that was disabled, deleted or whose password expired, or a service "
         "principal whose secret expired. Helm sends it with every `helm push` and `helm pull`, and they fail "
         "with 'unauthorized'.",
         ("log Helm in again with a token for your Azure identity (`az acr login --expose-token`) or a current "
          "password",
          "if the registry allows anonymous pull and you only pull, remove the stored login with `helm registry "
          "logout`."), "acrhealth"),
    Code("CREDENTIALS_REJECTED_ERROR",
         "This error means that the registry's token server rejected the user name and password given with "
         "--username and --password: the admin user is disabled or its password was regenerated, the token "
         "is disabled, deleted or its password expired, or the service principal's secret expired or was "
         "reset.",
         ("check the user name and the password",
          "for the admin user, `az acr credential show`; for a token, `az acr token show` and "
          "`az acr token credential generate`; for a service principal, create a new client secret."),
         "acrhealth"),
    Code("DOCKER_DAEMON_SETTINGS_WARNING",
         "This warning means that a setting of the container engine (the Docker daemon, or Podman) differs from "
         "what this machine uses or what the registry needs: its proxy, its clock, its operating system "
         "(Windows containers), or an insecure, mirror or blocking entry for the registry. The engine pulls and "
         "logs in with its own settings, so `docker pull` and `docker login` can fail while the other checks pass.",
         ("align the engine's settings with this machine and the registry: the proxy your network needs (a "
          "systemd drop-in for the Docker service, or Docker Desktop's proxy settings), a synchronised clock, and "
          "no insecure-registry, mirror or blocking entry for Azure Container Registry.",), "acrhealth"),
)

CODES = {code.name: code for code in _CODES}


def get(name):
    return CODES[name]


def markdown():
    """The error reference section of README.md, generated from this module."""
    lines = []
    for code in _CODES:
        lines += ["### {}".format(code.name), "", code.meaning, "",
                  "*Potential solutions*: {}".format("; ".join(code.solutions)), "",
                  "More: {}".format(code.link), ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(), end="")
