-- Fingerprint input: the customer row (its name is printed). Grain: one row per customer.
-- Inputs: main.customers.
SELECT customer_id, name, billing_email FROM main.customers WHERE month = $month
