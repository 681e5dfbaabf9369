-- Per input file, where every record went: read = used + other months + rejected + collapsed duplicates.
-- Grain: one row per input file per month. Inputs: raw.csv_input_files (every CSV file of the drop, so
-- a header-only file is listed with 0 rows read), intermediate.csv_record_verdicts,
-- intermediate.probe_file_accounting.
SELECT
    $month AS month,
    f.source_file,
    count(v.verdict) AS rows_read,
    count(*) FILTER (v.verdict = 'used') AS rows_used,
    count(*) FILTER (v.verdict = 'other_month') AS rows_other_months,
    count(*) FILTER (v.verdict = 'rejected') AS rows_rejected,
    count(*) FILTER (v.verdict = 'collapsed') AS rows_collapsed
FROM raw.csv_input_files AS f
LEFT JOIN intermediate.csv_record_verdicts AS v ON v.source_file = f.source_file
GROUP BY f.source_file
UNION ALL
SELECT $month, source_file, rows_read, rows_used, rows_other_months, rows_rejected, rows_collapsed
FROM intermediate.probe_file_accounting
ORDER BY source_file
