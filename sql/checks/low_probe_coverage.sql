-- Customer-months whose probes covered less than 99 % of the measured period: no_data minutes never
-- lower uptime (R17), so a large gap flatters it — worth a look before statements go out.
SELECT customer_id, plan, total_minutes, no_data_minutes,
       round(100.0 * (total_minutes - no_data_minutes) / total_minutes, 3) AS coverage_pct
FROM main.uptime_monthly
WHERE month = $month AND total_minutes > 0 AND (total_minutes - no_data_minutes) * 100 < total_minutes * 99
