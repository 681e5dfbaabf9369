-- Chronic breaches (issue 13): enterprise customers whose misses repeat, so account managers see the
-- renewal risk before the customer raises it. The policy's `chronic_breaches` rule: below target
-- (an exact shortfall above zero, R18) in at least $below_target_months of the last $window_months
-- months, the month itself included; or credited at the cap in $capped_consecutive_months
-- consecutive months ending with the month. Months the warehouse never computed count as neither
-- (they are not invented): `months_known` says how many of the window it had.
-- Grain: one row per enterprise customer of the month (one per row of credits), chronic or not.
-- Rebuilt for every later month already in the warehouse when a month is rerun, so the order in
-- which months are run does not matter (pipeline/uptime/chronic.py).
-- Inputs: main.credits.
WITH window_months AS (
    SELECT
        strftime(CAST($month || '-01' AS DATE) - to_months(CAST(i AS INTEGER)), '%Y-%m') AS window_month,
        CAST(i AS INTEGER) AS months_back
    FROM range(0, greatest($window_months, $capped_consecutive_months)) AS r(i)
),
current_customers AS (
    SELECT customer_id FROM main.credits WHERE month = $month
),
history AS (
    SELECT
        c.customer_id,
        w.months_back,
        w.window_month,
        h.month IS NOT NULL AS known,
        coalesce(h.shortfall_numerator > 0, false) AS below_target,
        coalesce(h.capped, false) AS capped
    FROM current_customers AS c
    CROSS JOIN window_months AS w
    LEFT JOIN main.credits AS h ON h.customer_id = c.customer_id AND h.month = w.window_month
),
per_customer AS (
    SELECT
        customer_id,
        count(*) FILTER (WHERE known AND months_back < $window_months) AS months_known,
        count(*) FILTER (WHERE below_target AND months_back < $window_months) AS months_below_target,
        list(window_month ORDER BY window_month) FILTER (WHERE below_target AND months_back < $window_months)
            AS below_target_months,
        -- the run of capped months ending with this month: the first month back that was not capped
        coalesce(min(months_back) FILTER (WHERE NOT capped), greatest($window_months, $capped_consecutive_months))
            AS capped_streak
    FROM history
    GROUP BY customer_id
)
SELECT
    $month AS month,
    customer_id,
    $window_months AS window_months,
    months_known,
    months_below_target,
    below_target_months,
    capped_streak,
    months_below_target >= $below_target_months AS repeatedly_below_target,
    capped_streak >= $capped_consecutive_months AS repeatedly_capped,
    months_below_target >= $below_target_months OR capped_streak >= $capped_consecutive_months AS is_chronic,
    concat_ws('; ',
        CASE WHEN months_below_target >= $below_target_months
            THEN 'below target in ' || months_below_target || ' of the last ' || $window_months || ' months' END,
        CASE WHEN capped_streak >= $capped_consecutive_months
            THEN 'credited at the cap ' || capped_streak || ' months in a row' END
    ) AS reason
FROM per_customer
ORDER BY customer_id
