"""forcebridge: connects a SaaS product to its customers' Salesforce orgs."""

__version__ = "0.1.0"
