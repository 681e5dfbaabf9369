-- Tenant (customer, check) pairs whose sets pass 1 cannot count exactly: some minute holds more than
-- one valid result of that check — passing rows outnumber the minutes with a passing result, or a
-- failing record shares its minute with another result. Only there can an exact duplicate hide (or a
-- retry sit beside a failure); pass 2 re-reads these pairs' rows and counts their sets row by row.
-- Grain: one row per such pair. Inputs: intermediate.probe_scan.
WITH passing AS (
    SELECT customer_id, "check", sum(rows) AS passing_rows, bit_or(result_minutes) AS result_minutes
    FROM intermediate.probe_scan
    WHERE outcome = 'month' AND customer_id IS NOT NULL AND line_number IS NULL
    GROUP BY customer_id, "check"
),
failing AS (
    SELECT
        customer_id,
        "check",
        minute_number - epoch_us(CAST($month_start AS TIMESTAMPTZ)) // 60000000 AS minute_of_month,
        count(*) AS failing_rows
    FROM intermediate.probe_scan
    WHERE outcome = 'month' AND customer_id IS NOT NULL AND line_number IS NOT NULL
    GROUP BY ALL
)
SELECT customer_id, "check" FROM passing WHERE passing_rows > bit_count(result_minutes)
UNION
SELECT f.customer_id, f."check"
FROM failing AS f
LEFT JOIN passing AS p ON p.customer_id = f.customer_id AND p."check" = f."check"
WHERE f.failing_rows > 1 OR coalesce(get_bit(p.result_minutes, CAST(f.minute_of_month AS INTEGER)) = 1, false)
