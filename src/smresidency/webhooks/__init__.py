"""Signed webhooks (Standard Webhooks) to the hospital's systems, delivered by the job queue.

The blueprint lives in webhooks.views; the flush listeners that turn record changes into
events live in webhooks.events and are attached when the models are imported.
"""
