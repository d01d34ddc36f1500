"""The web console and JSON API: app assembly, templates, static assets, security headers. No domain code."""
