-- Fingerprint input: the customer row (its name is printed). Grain: one row per customer.
SELECT customer_id, name, billing_email FROM intermediate.valid_customers
