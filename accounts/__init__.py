"""Staff accounts: login, roles, password rules and the audit log."""
