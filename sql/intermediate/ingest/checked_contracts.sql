-- Every contracts.csv record with its final verdict (R3): own problems, duplicates, then its customer.
-- Grain: one row per data record of contracts.csv.
-- Inputs: staging.contracts, intermediate.csv_duplicates, intermediate.customer_references,
-- raw.iso4217_currencies.
-- Overlapping contracts of one customer are not a row problem: they stop the run (checked in Python).
-- A currency withdrawn from ISO 4217 (BGN since 2026-01-01) is valid only for months that end by its
-- withdrawal: a contract touching a later month is rejected for that month's run, one that does not
-- touch the month stays "other month" (pipeline/money.py WITHDRAWN, docs/ingestion.md).
SELECT
    s.* REPLACE (
        coalesce(
            s.reject_reason,
            CASE WHEN iso.withdrawn_on::TIMESTAMPTZ < $month_end
                      AND s.starts_at < $month_end AND (s.ends_at IS NULL OR s.ends_at > $month_start)
                THEN 'currency ' || s.currency || ' was withdrawn from ISO 4217 on ' || strftime(iso.withdrawn_on, '%Y-%m-%d')
                     || ': a contract cannot be billed in it for ' || $month || ' (use the currency that replaced it)'
            END,
            sla_reference_problem('customer', s.customer_id, ref.is_valid, ref.rejection)
        ) AS reject_reason
    )
FROM sla_row_verdicts('contracts', 'staging.contracts', 'intermediate.csv_duplicates') AS s
LEFT JOIN intermediate.customer_references AS ref ON ref.customer_id = s.customer_id
LEFT JOIN raw.iso4217_currencies AS iso ON iso.currency = s.currency
