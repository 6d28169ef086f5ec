"""Slow or fallible work (mail, PDFs, integrations) off the request path, through Huey.

A job is a row written in the caller's transaction and handed to the queue only once that
transaction commits; the worker claims the row, so a job that runs twice does its work once.
"""
