-- Input files that lost more than the policy's share of their rows to rejections (files of at least
-- the policy's minimum of rows read): a share that high usually means a broken export, and the month
-- would be computed on what is left. Thresholds: policy `checks.rejected_rows`; a file a person
-- reviewed and accepted (by its sha256, `checks.rejected_rows.accepted`) is listed, not blocking.
SELECT source_file, rows_read, rows_rejected, CAST(round(100.0 * rows_rejected / rows_read, 3) AS DECIMAL(9, 3)) AS rejected_pct
FROM main.input_file_accounting
WHERE month = $month
  AND rows_read >= $rejected_error_min_rows
  AND rows_rejected * 100 > rows_read * $rejected_error_above_pct
ORDER BY source_file
