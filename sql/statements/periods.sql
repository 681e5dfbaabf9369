-- Periods of one state: consecutive minutes of the same state merged (R21), inside the customer's
-- enterprise measured period of the month. Grain: one row per customer × state × run of consecutive
-- minutes; `ends_at` is exclusive (the minute after the last one); `window_ids` are the maintenance
-- windows / incidents the uptime engine named as the reason of those minutes.
-- Inputs: main.availability_minutes, main.measured_periods.
WITH minutes AS (
    SELECT a.customer_id, a.minute, a.state, a.window_id,
           date_diff('minute', TIMESTAMPTZ '1970-01-01 00:00:00+00', a.minute)
             - row_number() OVER (PARTITION BY a.customer_id, a.state ORDER BY a.minute) AS island
    FROM main.availability_minutes AS a
    JOIN main.measured_periods AS p
      ON p.customer_id = a.customer_id AND p.month = a.month AND p.plan = 'enterprise'
     AND a.minute >= p.period_start AND a.minute < p.period_end
    WHERE a.month = $month
)
SELECT customer_id, state, min(minute) AS starts_at, max(minute) + INTERVAL 1 MINUTE AS ends_at,
       count(*) AS minutes,
       list(DISTINCT window_id ORDER BY window_id) FILTER (WHERE window_id IS NOT NULL) AS window_ids
FROM minutes
GROUP BY customer_id, state, island
ORDER BY customer_id, starts_at, state
