"""Reference data (参考数据): Heilongjiang's regions with GB/T 2260 codes, categories of 地产品, platforms, channels,
entity kinds and brand programs. Everything here is read-only and loaded once per process."""
