"""Plumbing shared by every package: settings, databases, money, time, errors, scopes. No domain knowledge."""
