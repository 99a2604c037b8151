"""The `forcebridge` command line."""
