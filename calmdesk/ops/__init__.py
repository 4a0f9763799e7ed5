"""Operating a desk: ``calmdesk doctor`` (integrity checks and safe repairs), ``calmdesk
backup`` / ``restore`` and the full data export. An entry point: it reads every layer."""
