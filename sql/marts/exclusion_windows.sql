-- The windows that can excuse a customer's minutes, with their reasons and notice (R16, R21):
-- maintenance windows and incidents touching the month, per customer they concern — what statements
-- list as the reason of an excluded period, and what analysts read to see why minutes were excused.
-- Grain: one row per (customer with a measured period, window touching the month) where the window is
-- for that customer or for all customers. `qualifies`: maintenance announced more than 48 h ahead, or a
-- customer_caused incident; upstream/platform incidents are narrative only. `notice_minutes`: how long
-- before its start a maintenance window was announced (NULL for incidents). `excused_minutes`: minutes of the customer's
-- month classified with this window's id.
-- Inputs: intermediate.contract_periods, intermediate.valid_maintenance,
-- intermediate.valid_incidents, intermediate.minute_states.
WITH customers AS (
    SELECT DISTINCT customer_id FROM intermediate.contract_periods
),
windows AS (
    SELECT
        'maintenance' AS kind, maintenance_id AS window_id, customer_id AS window_customer_id,
        starts_at, ends_at, announced_at, CAST(NULL AS VARCHAR) AS cause, title AS description,
        sla_maintenance_notice_qualifies(announced_at, starts_at, $maintenance_notice_hours) AS qualifies
    FROM intermediate.valid_maintenance
    UNION ALL
    SELECT
        'incident', incident_id, customer_id, starts_at, ends_at, NULL, cause, summary,
        cause = 'customer_caused'
    FROM intermediate.valid_incidents
),
excused AS (
    SELECT customer_id, window_id, count(*) AS excused_minutes
    FROM intermediate.minute_states
    WHERE window_id IS NOT NULL
    GROUP BY customer_id, window_id
)
SELECT
    $month AS month,
    c.customer_id,
    w.kind,
    w.window_id,
    w.window_customer_id IS NULL AS for_all_customers,
    w.starts_at,
    w.ends_at,
    w.announced_at,
    date_diff('minute', w.announced_at, w.starts_at) AS notice_minutes,
    w.cause,
    w.description,
    w.qualifies,
    coalesce(e.excused_minutes, 0) AS excused_minutes
FROM customers AS c
JOIN windows AS w
    ON (w.window_customer_id IS NULL OR w.window_customer_id = c.customer_id)
   AND w.starts_at < $month_end AND w.ends_at > $month_start
LEFT JOIN excused AS e ON e.customer_id = c.customer_id AND e.window_id = w.window_id
ORDER BY c.customer_id, w.starts_at, w.kind, w.window_id
