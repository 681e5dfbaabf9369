-- Fingerprint input: every contract of the customer that touches the month, any plan (they decide
-- the measured period). Grain: one row per contract. Inputs: main.contracts.
SELECT customer_id, contract_id, plan, monthly_fee, currency, minor_unit, starts_on, ends_on
FROM main.contracts
WHERE month = $month
