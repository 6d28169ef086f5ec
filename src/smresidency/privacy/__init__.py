"""Data rights: a person's own data as a download, and erasure on request (docs/privacy.md)."""
