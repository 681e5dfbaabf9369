-- The measured period of every contract in the month (R3, R17): the part of the contract inside the
-- month, in whole minutes, and the fee and currency its fee base is computed from (R19). What uptime's
-- T sums up per customer × plan, what credits prorate, and what statements print as "measured period".
-- Grain: one row per contract covering at least one minute of the month. `period_end` is exclusive.
-- Inputs: intermediate.contract_periods, intermediate.valid_contracts.
SELECT
    $month AS month,
    p.customer_id,
    p.contract_id,
    p.plan,
    p.monthly_fee,
    p.currency,
    p.minor_unit,
    c.starts_on,
    c.ends_on,
    p.period_start,
    p.period_end,
    p.covered_minutes,
    p.month_minutes
FROM intermediate.contract_periods AS p
JOIN intermediate.valid_contracts AS c USING (contract_id)
ORDER BY p.customer_id, p.period_start, p.contract_id
