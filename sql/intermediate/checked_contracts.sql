-- Every contracts.csv record with its final verdict (R3): own problems, duplicates, then its customer.
-- Grain: one row per data record of contracts.csv.
-- Inputs: staging.contracts, intermediate.input_row_status, intermediate.customer_references.
-- Overlapping contracts of one customer are not a row problem: they stop the run (checked in Python).
SELECT
    s.* EXCLUDE (reject_reason, entity_id, content_hash),
    coalesce(st.is_collapsed_duplicate, false) AS is_collapsed_duplicate,
    coalesce(
        s.reject_reason,
        st.conflict_reason,
        sla_reference_problem('customer', s.customer_id, ref.is_valid, ref.rejection)
    ) AS reject_reason
FROM staging.contracts AS s
LEFT JOIN intermediate.input_row_status AS st
    ON st.source = 'contracts' AND st.source_file = s.source_file AND st.line_number = s.line_number
LEFT JOIN intermediate.customer_references AS ref ON ref.customer_id = s.customer_id
