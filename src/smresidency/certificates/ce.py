"""The CE/CPD record a certificate keeps: contact hours, accreditation statement, provider ID."""

from smresidency.admin.settings import site_settings


def snapshot(course_hours: float) -> dict:
    """The certificate columns as the settings give them now; hours default to the course's."""
    site = site_settings()
    try:
        hours = float(site.ce_contact_hours) if site.ce_contact_hours else None
    except ValueError:  # a bad value in configuration: the course's hours, as when unset
        hours = None
    return {
        "contact_hours": hours if hours is not None else float(course_hours or 0),
        "accreditation": site.ce_accreditation,
        "provider_id": site.ce_provider_id,
    }
