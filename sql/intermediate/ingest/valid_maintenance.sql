-- The maintenance windows a run may use. Grain: one row per maintenance_id.
-- Inputs: intermediate.checked_maintenance. customer_id NULL = every customer.
SELECT maintenance_id, starts_at, ends_at, announced_at, customer_id, title, source_file, line_number
FROM intermediate.checked_maintenance
WHERE reject_reason IS NULL AND NOT is_collapsed_duplicate
