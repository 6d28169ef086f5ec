"""A read-only REST API under /api/v1 for the hospital's systems, with personal access tokens.

The blueprint lives in api.views; create_app imports it, so importing a model imports no views.
"""
