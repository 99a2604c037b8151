"""SOQL: grammar, typed syntax tree, and a builder that escapes every value."""
