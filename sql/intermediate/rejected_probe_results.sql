-- Probe rows this run could not use, with the reason a person can act on and the record's raw text.
-- Grain: one row per rejected probe record (file, 1-based record number). `raw` is the CSV record or
-- JSON line as written; for Parquet a JSON rendering of the row. Inputs: intermediate.probe_scan,
-- probe_files (TEMP table, pipeline/probes.py).
SELECT f.source_file, s.line_number, s.reason, s.raw
FROM intermediate.probe_scan AS s
JOIN probe_files AS f ON f.file_path = s.file_path
WHERE s.summary = 'rejected'
ORDER BY f.file_order, s.line_number
