"""Ed25519 signing keys kept as files in instance/keys/: never in git, private files 0600.

Rotation writes a new key and makes it current; retired public keys stay published in the
JWKS so that every credential signed before still verifies.
"""

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


class NoSigningKey(Exception):
    """No usable signing key; the message says how to make one."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class SigningKey:
    kid: str
    private: Ed25519PrivateKey

    def public_jwk(self) -> dict:
        return public_jwk(self.kid, self.private.public_key())


def public_jwk(kid: str, public: Ed25519PublicKey) -> dict:
    """The JWK (RFC 8037, OKP/Ed25519) of a public key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url(raw),
        "kid": kid,
        "use": "sig",
        "alg": "EdDSA",
    }


def key_dir(instance_path: str) -> Path:
    return Path(instance_path) / "keys"


def generate(instance_path: str) -> SigningKey:
    """Create a new key, write it (private key 0600), publish its public half, make it current."""
    folder = key_dir(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    kid = secrets.token_hex(8)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path = folder / f"{kid}.pem"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    (folder / f"{kid}.jwk.json").write_text(json.dumps(public_jwk(kid, private.public_key())))
    (folder / "current").write_text(kid)
    return SigningKey(kid, private)


def current(instance_path: str) -> SigningKey:
    """The key new credentials are signed with."""
    folder = key_dir(instance_path)
    try:
        kid = (folder / "current").read_text().strip()
        pem = (folder / f"{kid}.pem").read_bytes()
    except FileNotFoundError as err:
        raise NoSigningKey(
            "No signing key: run `flask certificates keygen` to create one in instance/keys/."
        ) from err
    private = serialization.load_pem_private_key(pem, password=None)
    return SigningKey(kid, private)


def published(instance_path: str) -> list[dict]:
    """Every public key ever used, current and retired, for the JWKS."""
    folder = key_dir(instance_path)
    if not folder.is_dir():
        return []
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.jwk.json"))]
