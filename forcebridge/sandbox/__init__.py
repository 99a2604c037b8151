"""A Salesforce-compatible HTTPS server for development, tests, benchmarks and the demo.

It stands beside the product: it imports `forcebridge.soql` and nothing of sync, jobs or web.
"""
