-- The customers of the drop as this month's run loaded them (typed, validated).
-- Grain: one row per customer per month. Inputs: intermediate.valid_customers.
SELECT $month AS month, customer_id, name, billing_email
FROM intermediate.valid_customers
