"""Assets of the monthly SLA report, one module per area; each wraps a Dagster-free core function."""
