"""The analysis engine: ingest, normalisation, checks. Never imports app/."""
__version__ = "0.1.0"
