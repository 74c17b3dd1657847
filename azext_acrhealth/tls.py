"""The certificate a TLS server presents, read without trusting it: after a verification failure it tells
the user whom they were really talking to (a TLS-inspecting proxy shows its own issuer here)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class CertInfo:
    subject: str
    issuer: str
    not_before: str              # ISO 8601, UTC
    not_after: str
    names: tuple = ()            # DNS names and IP addresses of the subjectAltName extension
    self_signed: bool = False
    expired: bool = False
    not_yet_valid: bool = False


def peer_certificate(url, timeout, proxy=None):
    """CertInfo of the server behind an https URL, or None when it cannot be read. It goes through the
    same proxy as the request that failed (urllib3 builds the CONNECT tunnel), and sends at most one
    anonymous GET, with no credentials."""
    import warnings

    import urllib3
    headers = None
    try:
        if proxy:
            from urllib.parse import unquote, urlsplit
            parts = urlsplit(proxy if "://" in proxy else "http://" + proxy)
            if parts.username is not None:
                auth = "{}:{}".format(unquote(parts.username), unquote(parts.password or ""))
                headers = urllib3.util.make_headers(proxy_basic_auth=auth)
            # As requests does: the credentials go in Proxy-Authorization, the URL keeps none.
            plain = "{}://{}".format(parts.scheme, parts.netloc.rpartition("@")[2])
            manager = urllib3.ProxyManager(plain, proxy_headers=headers, cert_reqs="CERT_NONE",
                                           assert_hostname=False)
        else:
            manager = urllib3.PoolManager(cert_reqs="CERT_NONE", assert_hostname=False)
        # Unverified on purpose (the verified request already failed): no warning about it on the user's terminal.
        with manager, warnings.catch_warnings():
            warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
            response = manager.request("GET", url, preload_content=False, redirect=False, retries=False,
                                       timeout=urllib3.Timeout(connect=timeout, read=timeout))
            try:
                sock = getattr(response.connection, "sock", None)
                der = sock.getpeercert(binary_form=True) if sock is not None else None
            finally:
                response.release_conn()
    except Exception:  # noqa: BLE001 - any failure here only means "could not be read"
        return None
    return describe_certificate(der) if der else None


def describe_certificate(der):
    """CertInfo for a DER certificate, or None when it cannot be parsed."""
    import datetime
    try:
        from cryptography import x509
        cert = x509.load_der_x509_certificate(der)
        try:
            san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            names = tuple(san.get_values_for_type(x509.DNSName)) + \
                tuple(str(ip) for ip in san.get_values_for_type(x509.IPAddress))
        except x509.ExtensionNotFound:
            names = ()
        before, after = cert.not_valid_before_utc, cert.not_valid_after_utc
        now = datetime.datetime.now(datetime.UTC)
        return CertInfo(subject=cert.subject.rfc4514_string(), issuer=cert.issuer.rfc4514_string(),
                        not_before=before.isoformat(), not_after=after.isoformat(), names=names,
                        self_signed=cert.subject == cert.issuer, expired=after < now, not_yet_valid=before > now)
    except Exception:  # noqa: BLE001 - a malformed certificate from a hostile server is just "unreadable"
        return None
