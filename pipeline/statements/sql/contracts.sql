-- The enterprise contracts of the month and the part of the month each covers (R3, R17, R19).
-- Grain: one row per enterprise contract overlapping [$month_start, $month_end). `covered_from` /
-- `covered_until` clip the contract to the month; their union is the statement's measured period.
SELECT
    customer_id,
    contract_id,
    plan,
    monthly_fee,
    currency,
    minor_unit,
    starts_on,
    ends_on,
    greatest(starts_at, $month_start) AS covered_from,
    least(coalesce(ends_at, $month_end), $month_end) AS covered_until,
    date_diff('minute', greatest(starts_at, $month_start), least(coalesce(ends_at, $month_end), $month_end))
        AS covered_minutes
FROM intermediate.valid_contracts
WHERE plan = 'enterprise'
  AND starts_at < $month_end
  AND (ends_at IS NULL OR ends_at > $month_start)
ORDER BY customer_id, starts_at, contract_id
