"""The synthetic province (演示数据): a seeded Heilongjiang written as feed files and loaded through ingest."""
