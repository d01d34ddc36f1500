"""The registry (主体库): market entities, shops, streamers and live-streaming bases, scoped by region and entity."""
