"""Ingestion: input files → raw all-text tables → typed, validated rows (data contract, R2–R4)."""
