-- Per input file, where every record went: read = used + other months + rejected + collapsed duplicates.
-- Grain: one row per input file per month. Inputs: intermediate.csv_record_verdicts,
-- intermediate.probe_file_accounting.
SELECT
    $month AS month,
    source_file,
    count(*) AS rows_read,
    count(*) FILTER (verdict = 'used') AS rows_used,
    count(*) FILTER (verdict = 'other_month') AS rows_other_months,
    count(*) FILTER (verdict = 'rejected') AS rows_rejected,
    count(*) FILTER (verdict = 'collapsed') AS rows_collapsed
FROM intermediate.csv_record_verdicts
GROUP BY source_file
UNION ALL
SELECT $month, source_file, rows_read, rows_used, rows_other_months, rows_rejected, rows_collapsed
FROM intermediate.probe_file_accounting
ORDER BY source_file
