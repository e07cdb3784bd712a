"""Data the rules read (``rds_engine_versions.json``) and the command that refreshes it."""
