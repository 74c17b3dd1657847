"""Certificates for the local HTTPS servers of the tests: a trustme CA, and leaves good and bad."""

import datetime
import ipaddress

import trustme

NAMES = ("localhost", "127.0.0.1", "127.0.0.2", "::1")


def make(root, ca=None):
    """Write the CA bundle and (cert, key) pairs into root: good, wrong name, expired, self-signed.
    Returns {"ca": path, "good": (cert, key), ...}."""
    ca = ca or trustme.CA()
    ca.cert_pem.write_to_path(str(root / "ca.pem"))
    past = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    leaves = {"good": ca.issue_cert(*NAMES),
              "wrong_name": ca.issue_cert("other.example"),
              "expired": ca.issue_cert(*NAMES, not_before=past, not_after=past + datetime.timedelta(days=30)),
              "self_signed": None}
    paths = {"ca": str(root / "ca.pem")}
    for name, leaf in leaves.items():
        cert, key = str(root / (name + ".pem")), str(root / (name + ".key"))
        if leaf is None:
            self_signed(cert, key)
        else:
            leaf.cert_chain_pems[0].write_to_path(cert)
            leaf.private_key_pem.write_to_path(key)
        paths[name] = (cert, key)
    return paths


def self_signed(cert_path, key_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "self-signed.example")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
