-- Every incidents.csv record with its final verdict: own problems, duplicates, then its customer.
-- Grain: one row per data record of incidents.csv.
-- Inputs: staging.incidents, intermediate.csv_duplicates, intermediate.customer_references.
SELECT
    s.* REPLACE (
        coalesce(
            s.reject_reason,
            sla_optional_reference_problem('customer', s.customer_id, ref.is_valid, ref.rejection)
        ) AS reject_reason
    )
FROM sla_row_verdicts('incidents', 'staging.incidents', 'intermediate.csv_duplicates') AS s
LEFT JOIN intermediate.customer_references AS ref ON ref.customer_id = s.customer_id
