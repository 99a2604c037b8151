"""The product's own data: SQLAlchemy models, repositories and migrations."""
