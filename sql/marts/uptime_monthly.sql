-- Monthly uptime per customer and plan (R17, R20): T = minutes of the month covered by the customer's
-- contracts of that plan, U = unavailable minutes, uptime = 1 - U/T truncated (never rounded up) to
-- DECIMAL(10,8). Excluded and no_data minutes are counted and shown but never lower uptime.
-- Grain: one row per customer × month × plan with a contract covering part of the month (growth too,
-- with a NULL target). Inputs: intermediate.contract_periods, intermediate.minute_states,
-- intermediate.uptime_targets.
WITH periods AS (
    SELECT customer_id, plan, sum(covered_minutes) AS total_minutes
    FROM intermediate.contract_periods
    GROUP BY customer_id, plan
),
states AS (
    SELECT
        customer_id,
        plan,
        count(*) FILTER (WHERE state = 'unavailable') AS unavailable_minutes,
        count(*) FILTER (WHERE state = 'maintenance') AS maintenance_minutes,
        count(*) FILTER (WHERE state = 'customer_caused') AS customer_caused_minutes,
        count(*) FILTER (WHERE state = 'upstream') AS upstream_minutes,
        count(*) FILTER (WHERE state = 'no_data') AS no_data_minutes
    FROM intermediate.minute_states
    GROUP BY customer_id, plan
),
counted AS (
    SELECT
        p.customer_id,
        p.plan,
        CAST(p.total_minutes AS BIGINT) AS total_minutes,
        CAST(coalesce(s.unavailable_minutes, 0) AS BIGINT) AS unavailable_minutes,
        CAST(coalesce(s.maintenance_minutes, 0) AS BIGINT) AS maintenance_minutes,
        CAST(coalesce(s.customer_caused_minutes, 0) AS BIGINT) AS customer_caused_minutes,
        CAST(coalesce(s.upstream_minutes, 0) AS BIGINT) AS upstream_minutes,
        CAST(coalesce(s.no_data_minutes, 0) AS BIGINT) AS no_data_minutes
    FROM periods AS p
    LEFT JOIN states AS s ON s.customer_id = p.customer_id AND s.plan = p.plan
)
SELECT
    c.customer_id,
    $month AS month,
    c.plan,
    c.total_minutes,
    c.unavailable_minutes,
    c.maintenance_minutes,
    c.customer_caused_minutes,
    c.upstream_minutes,
    c.no_data_minutes,
    c.total_minutes - c.no_data_minutes AS covered_minutes,
    -- integer floor of (T - U) / T at 8 decimals, then an exact DECIMAL (no division in DECIMAL/DOUBLE)
    CAST(CAST((c.total_minutes - c.unavailable_minutes) * 100000000 // c.total_minutes AS DECIMAL(18, 0))
         * CAST(0.00000001 AS DECIMAL(9, 8)) AS DECIMAL(10, 8)) AS uptime,
    CAST(CAST((c.total_minutes - c.no_data_minutes) * 100000000 // c.total_minutes AS DECIMAL(18, 0))
         * CAST(0.00000001 AS DECIMAL(9, 8)) AS DECIMAL(10, 8)) AS coverage,
    t.target
FROM counted AS c
LEFT JOIN intermediate.uptime_targets AS t ON t.plan = c.plan
ORDER BY c.customer_id, c.plan
