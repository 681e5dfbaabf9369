-- Probe rows this run could not use, with the reason a person can act on and the record's raw text.
-- Grain: one row per rejected probe record (file, 1-based record number). `raw` is the CSV record or
-- JSON line as written; for Parquet a JSON rendering of the row's contract columns as read. A row of a
-- customer that ingestion rejected inherits that rejection instead of "unknown customer".
-- Inputs: intermediate.probe_scan, probe_files and probe_customer_rejections (TEMP, pipeline/probes.py).
SELECT
    f.source_file,
    s.line_number,
    CASE WHEN s.reason LIKE 'unknown customer %' THEN coalesce(r.rejection, s.reason) ELSE s.reason END AS reason,
    s.raw
FROM intermediate.probe_scan AS s
JOIN probe_files AS f ON f.file_path = s.file_path
LEFT JOIN probe_customer_rejections AS r ON r.customer_id = s.customer_id
WHERE s.outcome = 'rejected'
ORDER BY f.file_order, s.line_number
