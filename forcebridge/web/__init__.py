"""Admin pages and the REST API."""
