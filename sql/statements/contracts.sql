-- The enterprise contracts of the month and the part of the month each covers (R3, R17, R19).
-- Grain: one row per enterprise contract overlapping the month. The clipping is the uptime engine's
-- (main.measured_periods), so the statement's measured period is by construction the one its uptime
-- and fee base were computed over. Inputs: main.measured_periods.
SELECT
    customer_id,
    contract_id,
    plan,
    monthly_fee,
    currency,
    minor_unit,
    starts_on,
    ends_on,
    period_start AS covered_from,
    period_end AS covered_until,
    covered_minutes
FROM main.measured_periods
WHERE month = $month AND plan = 'enterprise'
ORDER BY customer_id, period_start, contract_id
