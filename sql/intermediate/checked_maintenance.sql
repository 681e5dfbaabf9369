-- Every maintenance.csv record with its final verdict: own problems, duplicates, then its customer.
-- Grain: one row per data record of maintenance.csv.
-- Inputs: staging.maintenance, intermediate.input_row_status, intermediate.customer_references.
SELECT
    s.* EXCLUDE (reject_reason, entity_id, content_hash),
    coalesce(st.is_collapsed_duplicate, false) AS is_collapsed_duplicate,
    coalesce(
        s.reject_reason,
        st.conflict_reason,
        CASE WHEN s.customer_id IS NOT NULL
            THEN sla_reference_problem('customer', s.customer_id, ref.is_valid, ref.rejection) END
    ) AS reject_reason
FROM staging.maintenance AS s
LEFT JOIN intermediate.input_row_status AS st
    ON st.source = 'maintenance' AND st.source_file = s.source_file AND st.line_number = s.line_number
LEFT JOIN intermediate.customer_references AS ref ON ref.customer_id = s.customer_id
