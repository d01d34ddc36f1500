"""Tests of livecommerce.web."""
