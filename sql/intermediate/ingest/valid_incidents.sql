-- The incident windows a run may use. Grain: one row per incident_id. Inputs: intermediate.checked_incidents.
SELECT incident_id, starts_at, ends_at, cause, customer_id, summary, source_file, line_number
FROM intermediate.checked_incidents
WHERE reject_reason IS NULL AND NOT is_collapsed_duplicate
