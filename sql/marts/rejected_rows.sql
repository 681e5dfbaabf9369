-- Every input row this run could not load, with the reason a person can act on and its raw text.
-- Grain: one row per rejected record (file, record number). Inputs: intermediate.csv_record_verdicts,
-- intermediate.probe_rejections. `month` is the run's month, whatever month the row was about.
SELECT $month AS month, source_file, line_number, reason, raw
FROM intermediate.csv_record_verdicts
WHERE verdict = 'rejected'
UNION ALL
SELECT $month AS month, source_file, line_number, reason, raw
FROM intermediate.probe_rejections
ORDER BY source_file, line_number
