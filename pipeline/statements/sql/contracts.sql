-- The enterprise contracts of the month and the part of the month each covers (R3, R17, R19).
-- Grain: one row per enterprise contract overlapping [$month_start, $month_end). The clipping is the
-- uptime engine's (intermediate.uptime_measured_periods), so the statement's measured period is by
-- construction the one its uptime and fee base were computed over.
SELECT
    p.customer_id,
    p.contract_id,
    p.plan,
    p.monthly_fee,
    p.currency,
    p.minor_unit,
    c.starts_on,
    c.ends_on,
    p.period_start AS covered_from,
    p.period_end AS covered_until,
    p.covered_minutes
FROM intermediate.uptime_measured_periods AS p
JOIN intermediate.valid_contracts AS c USING (contract_id)
WHERE p.plan = 'enterprise'
ORDER BY p.customer_id, p.period_start, p.contract_id
