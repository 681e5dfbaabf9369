-- The contracts in force during the month (R3), typed, with the minor unit of their currency (R19).
-- Grain: one row per contract per month. Inputs: intermediate.valid_contracts. ends_on is exclusive;
-- NULL = open-ended.
SELECT $month AS month, contract_id, customer_id, plan, monthly_fee, currency, minor_unit, starts_on, ends_on
FROM intermediate.valid_contracts
WHERE starts_at < $month_end AND (ends_at IS NULL OR ends_at > $month_start)
