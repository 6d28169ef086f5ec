"""Courses and modules as authored in course_content/, synced into versioned rows.

This package's __init__ imports nothing, so `catalog.loader` stays usable without Flask;
the blueprint lives in `catalog.views`.
"""
