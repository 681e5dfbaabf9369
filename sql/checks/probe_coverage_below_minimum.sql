-- Enterprise customer-months whose probes covered less than the policy's minimum share of the measured
-- period (`checks.probe_coverage.error_below_pct`): uptime, and so the credit, would rest on too few
-- measured minutes to be paid on. Blocks publication; fix the probe files of the drop.
SELECT customer_id, plan, total_minutes, no_data_minutes,
       CAST(round(100.0 * (total_minutes - no_data_minutes) / total_minutes, 3) AS DECIMAL(9, 3)) AS coverage_pct
FROM main.uptime_monthly
WHERE month = $month AND plan = 'enterprise' AND total_minutes > 0
  AND (total_minutes - no_data_minutes) * 100 < total_minutes * $coverage_error_below_pct
