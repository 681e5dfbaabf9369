-- Periods of one state: consecutive minutes of the same state merged (R21), inside the customer's
-- enterprise coverage of the month. Grain: one row per customer × state × run of consecutive minutes;
-- `ends_at` is exclusive (the minute after the last one); `window_ids` are the maintenance windows /
-- incidents the uptime engine named as the reason of those minutes.
WITH coverage AS (
    SELECT customer_id,
           greatest(starts_at, $month_start) AS covered_from,
           least(coalesce(ends_at, $month_end), $month_end) AS covered_until
    FROM intermediate.valid_contracts
    WHERE plan = 'enterprise' AND starts_at < $month_end AND (ends_at IS NULL OR ends_at > $month_start)
),
minutes AS (
    SELECT a.customer_id, a.minute, a.state, a.window_id,
           date_diff('minute', TIMESTAMPTZ '1970-01-01 00:00:00+00', a.minute)
             - row_number() OVER (PARTITION BY a.customer_id, a.state ORDER BY a.minute) AS island
    FROM main.availability_minutes AS a
    JOIN coverage AS c
      ON c.customer_id = a.customer_id AND a.minute >= c.covered_from AND a.minute < c.covered_until
    WHERE a.month = $month
)
SELECT customer_id, state, min(minute) AS starts_at, max(minute) + INTERVAL 1 MINUTE AS ends_at,
       count(*) AS minutes,
       list(DISTINCT window_id ORDER BY window_id) FILTER (WHERE window_id IS NOT NULL) AS window_ids
FROM minutes
GROUP BY customer_id, state, island
ORDER BY customer_id, starts_at, state
