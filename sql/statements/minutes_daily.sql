-- Minutes that were not plainly up, per customer, UTC day and state, inside the customer's enterprise
-- measured period of the month (a plan-change customer's growth part is not on its statement, R12/R21).
-- Grain: one row per customer × day × state. Feeds the daily availability chart.
-- Inputs: main.availability_minutes, main.measured_periods.
SELECT a.customer_id, CAST(date_trunc('day', a.minute) AS DATE) AS day, a.state, count(*) AS minutes
FROM main.availability_minutes AS a
JOIN main.measured_periods AS p
  ON p.customer_id = a.customer_id AND p.month = a.month AND p.plan = 'enterprise'
 AND a.minute >= p.period_start AND a.minute < p.period_end
WHERE a.month = $month
GROUP BY ALL
ORDER BY a.customer_id, day, a.state
