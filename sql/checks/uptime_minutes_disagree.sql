-- Customer-months whose uptime_monthly counts disagree with availability_minutes, or whose classified
-- minutes exceed the measured period, or whose stored uptime is not the truncation of 1 - U/T (R17).
WITH minutes AS (
    SELECT customer_id, state, count(*) AS minutes
    FROM main.availability_minutes
    WHERE month = $month
    GROUP BY ALL
),
by_customer AS (
    SELECT
        customer_id,
        sum(minutes) FILTER (WHERE state = 'unavailable') AS unavailable,
        sum(minutes) FILTER (WHERE state = 'no_data') AS no_data
    FROM minutes
    GROUP BY customer_id
),
monthly AS (
    SELECT
        customer_id,
        sum(total_minutes) AS total_minutes,
        sum(unavailable_minutes) AS unavailable_minutes,
        sum(no_data_minutes) AS no_data_minutes,
        bool_or(unavailable_minutes + maintenance_minutes + customer_caused_minutes + upstream_minutes
                + no_data_minutes > total_minutes) AS overfull,
        bool_or(uptime * 100000000 <> CAST(total_minutes - unavailable_minutes AS BIGINT) * 100000000 // total_minutes)
            AS uptime_not_truncated
    FROM main.uptime_monthly
    WHERE month = $month
    GROUP BY customer_id
)
SELECT m.customer_id, m.total_minutes, m.unavailable_minutes, b.unavailable AS unavailable_in_minutes_table,
       m.no_data_minutes, b.no_data AS no_data_in_minutes_table, m.overfull, m.uptime_not_truncated
FROM monthly AS m
LEFT JOIN by_customer AS b USING (customer_id)
WHERE m.overfull OR m.uptime_not_truncated
   OR m.unavailable_minutes <> coalesce(b.unavailable, 0)
   OR m.no_data_minutes <> coalesce(b.no_data, 0)
