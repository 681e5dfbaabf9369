-- Every customers.csv record with its final verdict: the reason it is rejected, or a collapsed copy.
-- Grain: one row per data record of customers.csv. Inputs: staging.customers, intermediate.input_row_status.
SELECT
    s.* EXCLUDE (reject_reason, entity_id, content_hash),
    coalesce(st.is_collapsed_duplicate, false) AS is_collapsed_duplicate,
    coalesce(s.reject_reason, st.conflict_reason) AS reject_reason
FROM staging.customers AS s
LEFT JOIN intermediate.input_row_status AS st
    ON st.source = 'customers' AND st.source_file = s.source_file AND st.line_number = s.line_number
