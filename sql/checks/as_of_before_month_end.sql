-- The run's as-of instant lies before the month ends: tickets of the month are described only up to
-- as-of (pending clocks), and statements say so. Usually a drop exported too early.
SELECT month, as_of, as_of_source
FROM main.report_runs
WHERE month = $month AND as_of < $month_end
