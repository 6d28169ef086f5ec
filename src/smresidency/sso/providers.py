"""The configured providers, from the five SSO_* settings or the SSO_PROVIDERS list."""

from dataclasses import dataclass, field

from flask import current_app

from smresidency.access import ROLES


@dataclass(frozen=True)
class Provider:
    """One OpenID Connect provider as the settings describe it (secrets never leave here)."""

    name: str
    issuer: str
    client_id: str
    client_secret: str
    label: str
    allowed_domains: tuple[str, ...] = ()
    role_claim: str = "groups"
    role_map: dict = field(default_factory=dict)
    sync_roles: bool = False
    trust_email: bool = False
    scope: str = "openid email profile"

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def domain_allowed(self, email: str) -> bool:
        """An empty list accepts every domain."""
        domain = email.rpartition("@")[2].lower()
        return not self.allowed_domains or domain in self.allowed_domains

    def mapped_roles(self, claims: dict) -> set[str]:
        """The roles the claim's values map to (a claim may be one string or a list)."""
        values = claims.get(self.role_claim) or []
        if isinstance(values, str):
            values = [values]
        return {self.role_map[v] for v in values if isinstance(v, str) and v in self.role_map}


def _from_dict(entry: dict, cfg) -> Provider:
    role_map = dict(entry.get("role_map") or {})
    domains = entry.get("allowed_domains") or ()
    if isinstance(domains, str):  # "a.org, b.org" from an environment variable
        domains = domains.split(",")
    unknown = set(role_map.values()) - set(ROLES)
    if unknown:
        raise ValueError(f"SSO role_map names unknown roles: {', '.join(sorted(unknown))}")
    return Provider(
        name=entry.get("name") or "hospital",
        issuer=entry["issuer"],
        client_id=entry["client_id"],
        client_secret=entry.get("client_secret") or "",
        label=entry.get("label") or cfg["SSO_LABEL"],
        allowed_domains=tuple(d.strip().lower().lstrip("@") for d in domains if d.strip()),
        role_claim=entry.get("role_claim") or "groups",
        role_map=role_map,
        sync_roles=bool(entry.get("sync_roles", False)),
        trust_email=bool(entry.get("trust_email", False)),
        scope=entry.get("scope") or "openid email profile",
    )


def configured() -> list[Provider]:
    """Every provider: the SSO_PROVIDERS list, then the single one of the SSO_* settings."""
    cfg = current_app.config
    entries = list(cfg.get("SSO_PROVIDERS") or [])
    if cfg.get("SSO_ISSUER"):
        entries.append(
            {
                "name": "hospital",
                "issuer": cfg["SSO_ISSUER"],
                "client_id": cfg["SSO_CLIENT_ID"],
                "client_secret": cfg["SSO_CLIENT_SECRET"],
                "label": cfg["SSO_LABEL"],
                "allowed_domains": cfg["SSO_ALLOWED_DOMAINS"],
                "role_claim": cfg["SSO_ROLE_CLAIM"],
                "role_map": cfg["SSO_ROLE_MAP"],
                "sync_roles": cfg["SSO_SYNC_ROLES"],
                "trust_email": cfg["SSO_TRUST_EMAIL"],
                "scope": cfg["SSO_SCOPE"],
            }
        )
    return [_from_dict(e, cfg) for e in entries]


def find(name: str) -> Provider | None:
    """The provider with this name, or None."""
    return next((p for p in configured() if p.name == name), None)
