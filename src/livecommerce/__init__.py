"""龙江直播电商监测服务平台 — the Longjiang live-commerce monitoring platform."""

__version__ = "0.1.0"
