"""Backup and restore (备份与恢复) of a data home: registry, warehouse and uploads in one checked archive."""
