"""Administration: people, the audit log, site settings and branding.

Importing the package imports no views (the blueprint lives in admin.views), so any feature
may call `smresidency.admin.audit.record` or `smresidency.admin.settings.site_settings`.
"""
