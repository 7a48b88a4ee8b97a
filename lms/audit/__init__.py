"""Audit log of logins, access to personal data and changes."""
