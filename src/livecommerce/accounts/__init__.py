"""Accounts (账户): who acts and in which scope; login sessions and API tokens; the audit log (审计日志)."""
