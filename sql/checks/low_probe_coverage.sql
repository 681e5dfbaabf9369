-- Enterprise customer-months whose probes covered less than the policy's warning share of the measured
-- period (`checks.probe_coverage.warn_below_pct`): no_data minutes never lower uptime (R17), so a gap
-- flatters it — worth a look before statements go out.
SELECT customer_id, plan, total_minutes, no_data_minutes,
       CAST(round(100.0 * (total_minutes - no_data_minutes) / total_minutes, 3) AS DECIMAL(9, 3)) AS coverage_pct
FROM main.uptime_monthly
WHERE month = $month AND plan = 'enterprise' AND total_minutes > 0
  AND (total_minutes - no_data_minutes) * 100 < total_minutes * $coverage_warn_below_pct
