-- Every contracts.csv record with its final verdict (R3): own problems, duplicates, then its customer.
-- Grain: one row per data record of contracts.csv.
-- Inputs: staging.contracts, intermediate.csv_duplicates, intermediate.customer_references.
-- Overlapping contracts of one customer are not a row problem: they stop the run (checked in Python).
SELECT
    s.* REPLACE (
        coalesce(
            s.reject_reason,
            sla_reference_problem('customer', s.customer_id, ref.is_valid, ref.rejection)
        ) AS reject_reason
    )
FROM sla_row_verdicts('contracts', 'staging.contracts', 'intermediate.csv_duplicates') AS s
LEFT JOIN intermediate.customer_references AS ref ON ref.customer_id = s.customer_id
