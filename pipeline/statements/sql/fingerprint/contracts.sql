-- Fingerprint input: every contract of the customer that touches the month, any plan (they decide
-- the measured period). Grain: one row per contract.
SELECT customer_id, contract_id, plan, monthly_fee, currency, minor_unit, starts_on, ends_on
FROM intermediate.valid_contracts
WHERE starts_at < $month_end AND (ends_at IS NULL OR ends_at > $month_start)
