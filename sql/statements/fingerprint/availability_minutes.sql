-- Fingerprint input: the customer's classified minutes of the month (they stand for the probe rows,
-- which stay in the drop). Grain: one row per customer × minute.
SELECT customer_id, minute, state FROM main.availability_minutes WHERE month = $month
