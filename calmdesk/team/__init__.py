"""The team (F11, F16): emotional load, the gratitude wall, satisfaction ratings and the
reports, read from rollups the worker keeps."""
