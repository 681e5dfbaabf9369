-- Input rows the run could not load, per file and reason (a warning: they are listed, not lost).
SELECT source_file, reason, count(*) AS rows_rejected, min(line_number) AS first_line
FROM main.rejected_rows
WHERE month = $month
GROUP BY source_file, reason
ORDER BY source_file, first_line
