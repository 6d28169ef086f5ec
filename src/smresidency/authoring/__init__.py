"""The authoring studio: instructors edit, preview, validate and publish course files."""
