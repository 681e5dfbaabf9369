-- The customers a run may use. Grain: one row per customer_id. Inputs: intermediate.checked_customers.
SELECT customer_id, name, billing_email, source_file, line_number
FROM intermediate.checked_customers
WHERE reject_reason IS NULL AND NOT is_collapsed_duplicate
