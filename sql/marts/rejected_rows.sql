-- Every input row this run could not load, with the reason a person can act on and its raw text.
-- Grain: one row per rejected record (file, record number). Inputs: intermediate.csv_row_verdicts,
-- intermediate.rejected_probe_results. `month` is the run's month, whatever month the row was about.
SELECT $month AS month, source_file, line_number, reason, raw
FROM intermediate.csv_row_verdicts
WHERE verdict = 'rejected'
UNION ALL
SELECT $month AS month, source_file, line_number, reason, raw
FROM intermediate.rejected_probe_results
ORDER BY source_file, line_number
