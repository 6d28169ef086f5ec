"""Site settings as every page, mail and certificate reads them: at most one statement per
request, none while this process holds the version the user loader read.

Values given in configuration (instance/config.py or SMRESIDENCY_* variables) win over the
ones saved in the browser, so an installation managed as code stays as its files say.
"""

from dataclasses import dataclass, field

from flask import current_app, g
from sqlalchemy import select

from smresidency.admin.models import SiteSettings
from smresidency.db import database_key
from smresidency.extensions import db

SETTINGS_ID = 1
# setting → configuration key that overrides it
CONFIG_KEYS = {
    "organisation_name": "ORGANISATION_NAME",
    "signer_name": "CERTIFICATE_SIGNER_NAME",
    "signer_title": "CERTIFICATE_SIGNER_TITLE",
    "accent_colour": "ACCENT_COLOUR",
    "support_email": "SUPPORT_EMAIL",
    "ce_contact_hours": "CE_CONTACT_HOURS",
    "ce_accreditation": "CE_ACCREDITATION_STATEMENT",
    "ce_provider_id": "CE_PROVIDER_ID",
}
PAGES = {
    "privacy": "Privacy notice",
    "accessibility": "Accessibility statement",
    "terms": "Terms of use",
}


@dataclass(frozen=True)
class Site:
    """The settings in effect: configuration first, then the saved row, then defaults."""

    organisation_name: str
    signer_name: str = ""
    signer_title: str = ""
    accent_colour: str = ""
    support_email: str = ""
    ce_contact_hours: str = ""  # CE/CPD; blank: the course's hours (certificates/ce.py)
    ce_accreditation: str = ""
    ce_provider_id: str = ""
    logo_type: str = ""
    signature_type: str = ""
    version: int = 0
    pages: dict = field(default_factory=dict)  # slug → sanitised HTML, only pages with text
    from_config: frozenset = frozenset()  # settings whose value comes from configuration
    named: bool = False  # an organisation name was given (not the site name standing in)

    @property
    def has_logo(self) -> bool:
        return bool(self.logo_type)

    @property
    def has_signature(self) -> bool:
        return bool(self.signature_type)

    @property
    def footer_pages(self) -> list[tuple[str, str]]:
        """(slug, title) of the footer pages that have text, in a fixed order."""
        return [(slug, title) for slug, title in PAGES.items() if slug in self.pages]


_COLUMNS = (
    SiteSettings.version,
    *(getattr(SiteSettings, name) for name in CONFIG_KEYS),
    SiteSettings.logo_type,
    SiteSettings.signature_type,
    *(getattr(SiteSettings, f"{slug}_html") for slug in PAGES),
)

_READ = select(*_COLUMNS).where(SiteSettings.id == SETTINGS_ID)


def site_settings() -> Site:
    """The settings in effect, read once per request (or CLI command) and kept in `g`."""
    cached = g.get("_site_settings")
    if cached is None:
        cached = g._site_settings = _cached_or_load()
    return cached


loads: list[int] = []  # versions read from the database: tests prove pages do not repeat it


def _cached_or_load() -> Site:
    """This process's copy when the user loader read a settings version that matches it
    (every save bumps the version, so a save on any host is seen at once); else one read."""
    version = g.get("settings_version")
    if version is None:
        return _load()
    key = (database_key(), version)
    kept = current_app.extensions.get("smresidency.site_settings")
    if kept is not None and kept[0] == key:
        return kept[1]
    site = _load()
    if site.version == version:
        current_app.extensions["smresidency.site_settings"] = (key, site)
    return site


def prime() -> None:
    """Fill this process's copy at the saved version, as a warm worker holds it (tests that
    count a page's statements start from there)."""
    version = db.session.scalar(select(SiteSettings.version).where(SiteSettings.id == SETTINGS_ID))
    g.settings_version = version or 0
    g.pop("_site_settings", None)
    site_settings()


def for_templates() -> Site:
    """site_settings() for base.html: an error page rendered after a database failure still
    renders, with the defaults."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return site_settings()
    except SQLAlchemyError:
        return Site(organisation_name=current_app.config["SITE_NAME"])


def forget() -> None:
    """Drop this request's copy after a save, so the rest of the request sees the new values."""
    g.pop("_site_settings", None)
    g.pop("settings_version", None)  # read before the save: it no longer names the row


def _load() -> Site:
    """One statement without the image bytes; configuration laid over it."""
    row = db.session.execute(_READ).one_or_none()
    loads.append(row.version if row is not None else 0)
    saved = row._asdict() if row is not None else {}
    cfg = current_app.config
    values, from_config = {}, set()
    for name, key in CONFIG_KEYS.items():
        if cfg.get(key):
            values[name] = str(cfg[key])
            from_config.add(name)
        else:
            values[name] = saved.get(name) or ""
    named = bool(values["organisation_name"])
    values["organisation_name"] = values["organisation_name"] or cfg["SITE_NAME"]
    pages = {slug: saved[f"{slug}_html"] for slug in PAGES if saved.get(f"{slug}_html")}
    return Site(
        **values,
        logo_type=saved.get("logo_type") or "",
        signature_type=saved.get("signature_type") or "",
        version=saved.get("version") or 0,
        pages=pages,
        from_config=frozenset(from_config),
        named=named,
    )


def image(kind: str) -> tuple[bytes, str] | None:
    """The logo or signature bytes and type, for the one route that serves them and the PDF."""
    column = {"logo": SiteSettings.logo, "signature": SiteSettings.signature}[kind]
    kind_type = getattr(SiteSettings, f"{kind}_type")
    row = db.session.execute(
        select(column, kind_type).where(SiteSettings.id == SETTINGS_ID)
    ).one_or_none()
    if row is None or row[0] is None:
        return None
    return bytes(row[0]), row[1]


def mail_sender(address: str) -> str:
    """'Organisation <address>' once an organisation is named; an address that already
    carries a display name ("Residency <r@x>") is used as configured."""
    from email.utils import formataddr

    site = site_settings()
    if "<" in address or not site.named:
        return address
    return formataddr((site.organisation_name, address))


@dataclass(frozen=True)
class Signer:
    """Who signs certificates, as the PDF prints them."""

    name: str
    title: str
    image: bytes | None = None
    image_type: str = ""


def certificate_signer() -> Signer | None:
    """The signer from the settings, with the signature image when one is saved; None when
    no signer is named (the certificate keeps its generic line)."""
    site = site_settings()
    if not site.signer_name:
        return None
    found = image("signature") if site.has_signature else None
    data, content_type = found or (None, "")
    return Signer(site.signer_name, site.signer_title, data, content_type)


def issuing_organisation(course_organisation: str) -> str:
    """The organisation printed on a new certificate: the one named in the settings (or
    configuration), else the course's own."""
    site = site_settings()
    return site.organisation_name if site.named else course_organisation
