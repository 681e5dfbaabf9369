-- Input files whose records do not add up: read ≠ used + other months + rejected + collapsed.
-- A row here means an input row vanished without a reason — the month's numbers cannot be trusted.
SELECT source_file, rows_read, rows_used, rows_other_months, rows_rejected, rows_collapsed
FROM main.input_file_accounting
WHERE month = $month
  AND rows_read <> rows_used + rows_other_months + rows_rejected + rows_collapsed
