-- What a row that names a customer inherits: valid, or the rejection of that customer's record.
-- Grain: one row per distinct customer_id text in customers.csv. Inputs: intermediate.checked_customers.
SELECT
    customer_id,
    bool_or(reject_reason IS NULL) AS is_valid,
    'its customer was rejected (' || min(source_file) || ' line ' || min(line_number) || ')' AS rejection
FROM intermediate.checked_customers
WHERE customer_id IS NOT NULL
GROUP BY customer_id
