"""Tests of livecommerce.accounts."""
