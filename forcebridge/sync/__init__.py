"""The engine: pull, activities, export and matching (pure decisions, I/O at the edges)."""
