"""Browser tests (Playwright with Debian chromium)."""
