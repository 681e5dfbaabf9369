-- A year of history for each enterprise customer's statement (issue 13 part 1): the month and the 11
-- before it, with uptime, credit and response / resolution attainment as the warehouse computed them.
-- `state`: 'computed' (the warehouse has the customer's credits row of that month),
-- 'before_contract' (the month ended before the customer's first enterprise contract began),
-- 'missing' (never computed: nothing is invented). Attainment per clock is met / (met + breached)
-- over every severity of the enterprise plan (counts here; the exact ratio is taken in Python).
-- Grain: one row per enterprise customer of $month × month of the 12.
-- Inputs: main.credits, main.uptime_monthly, main.support_attainment, main.enterprise_tenure.
WITH months AS (
    SELECT strftime(CAST($month || '-01' AS DATE) - to_months(CAST(i AS INTEGER)), '%Y-%m') AS history_month
    FROM range(0, 12) AS r(i)
),
customers AS (
    SELECT customer_id FROM main.credits WHERE month = $month
),
first_contract AS (
    SELECT customer_id, first_enterprise_start AS starts_on FROM main.enterprise_tenure WHERE month = $month
),
attainment AS (
    SELECT
        customer_id,
        month,
        clock,
        sum(met) AS met,
        sum(met) + sum(breached) AS decided
    FROM main.support_attainment
    WHERE plan = 'enterprise'
    GROUP BY ALL
)
SELECT
    c.customer_id,
    m.history_month AS month,
    CASE
        WHEN cr.customer_id IS NOT NULL THEN 'computed'
        WHEN f.starts_on IS NOT NULL AND f.starts_on >= CAST(m.history_month || '-01' AS DATE) + INTERVAL 1 MONTH
            THEN 'before_contract'
        ELSE 'missing'
    END AS state,
    u.uptime,
    u.target,
    cr.credit_amount,
    cr.currency,
    cr.minor_unit,
    ra.met AS response_met,
    ra.decided AS response_decided,
    sa.met AS resolution_met,
    sa.decided AS resolution_decided
FROM customers AS c
CROSS JOIN months AS m
LEFT JOIN main.credits AS cr ON cr.customer_id = c.customer_id AND cr.month = m.history_month
LEFT JOIN main.uptime_monthly AS u
    ON u.customer_id = c.customer_id AND u.month = m.history_month AND u.plan = 'enterprise' AND cr.customer_id IS NOT NULL
LEFT JOIN first_contract AS f ON f.customer_id = c.customer_id
LEFT JOIN attainment AS ra ON ra.customer_id = c.customer_id AND ra.month = m.history_month AND ra.clock = 'response'
    AND cr.customer_id IS NOT NULL
LEFT JOIN attainment AS sa ON sa.customer_id = c.customer_id AND sa.month = m.history_month AND sa.clock = 'resolution'
    AND cr.customer_id IS NOT NULL
ORDER BY c.customer_id, m.history_month
