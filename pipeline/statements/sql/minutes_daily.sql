-- Minutes that were not plainly up, per customer, UTC day and state, inside the customer's enterprise
-- coverage of the month (a plan-change customer's growth part is not on its statement, R12/R21).
-- Grain: one row per customer × day × state. Feeds the daily availability chart.
WITH coverage AS (
    SELECT customer_id,
           greatest(starts_at, $month_start) AS covered_from,
           least(coalesce(ends_at, $month_end), $month_end) AS covered_until
    FROM intermediate.valid_contracts
    WHERE plan = 'enterprise' AND starts_at < $month_end AND (ends_at IS NULL OR ends_at > $month_start)
)
SELECT a.customer_id, CAST(date_trunc('day', a.minute) AS DATE) AS day, a.state, count(*) AS minutes
FROM main.availability_minutes AS a
JOIN coverage AS c
  ON c.customer_id = a.customer_id AND a.minute >= c.covered_from AND a.minute < c.covered_until
WHERE a.month = $month
GROUP BY ALL
ORDER BY a.customer_id, day, a.state
