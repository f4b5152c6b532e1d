"""The product around the engine: command line, reports (and later the store and the review app)."""
