"""The one door to Salesforce: client, OAuth, describe cache, limits and typed errors."""
