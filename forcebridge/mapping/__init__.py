"""Field mappings: rules, type conversion and verification against describe."""
