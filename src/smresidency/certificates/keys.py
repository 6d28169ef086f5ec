"""Ed25519 signing keys kept as files in instance/keys/: never in git, private files 0600.

Rotation writes a new key and makes it current; retired public keys stay published in the
JWKS so that every credential signed before still verifies. JWK export and key ids (RFC 7638
thumbprints) come from joserfc, a maintained JOSE library, not from code of our own.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # joserfc loads at the first signature, not in every web worker
    from joserfc.jwk import OKPKey


class NoSigningKey(Exception):
    """No usable signing key; the message says how to make one."""


@dataclass
class SigningKey:
    kid: str
    key: OKPKey

    def public_jwk(self) -> dict:
        return public_jwk(self.kid, self.key)


def public_jwk(kid: str, key: OKPKey) -> dict:
    """The public JWK (RFC 8037, OKP/Ed25519) as the JWKS publishes it: no private part."""
    return {**key.as_dict(private=False), "kid": kid, "use": "sig", "alg": "EdDSA"}


def key_dir(instance_path: str) -> Path:
    return Path(instance_path) / "keys"


def generate(instance_path: str) -> SigningKey:
    """Create a new key, write it (private key 0600), publish its public half, make it current.

    The key id is the key's RFC 7638 thumbprint, so anyone can recompute it from the JWK.
    Keys made before kept their random ids: the files name them, so they still resolve.
    """
    folder = key_dir(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    from joserfc.jwk import OKPKey

    key = OKPKey.generate_key("Ed25519")
    kid = key.thumbprint()
    path = folder / f"{kid}.pem"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.as_pem(private=True))
    (folder / f"{kid}.jwk.json").write_text(json.dumps(public_jwk(kid, key)))
    (folder / "current").write_text(kid)
    return SigningKey(kid, key)


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
    from joserfc.jwk import OKPKey

    return SigningKey(kid, OKPKey.import_key(pem))


def published(instance_path: str) -> list[dict]:
    """Every public key ever used, current and retired, for the JWKS."""
    folder = key_dir(instance_path)
    if not folder.is_dir():
        return []
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.jwk.json"))]
