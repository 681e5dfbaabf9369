-- Pass 2: the probe rows whose sets must be counted row by row, with exact duplicates marked:
-- every shared row of the month (the shared sets, judged once per minute for every customer), and
-- every row of the tenant (customer, check) pairs where some minute holds several results
-- (probe_recount_pairs: where an exact duplicate can hide). Usually a small share of the files: the
-- shared filter is pushed into the Parquet scan, and a drop without duplicates has no pairs to recount.
-- Grain: one row per valid probe record fetched. `is_duplicate` marks all but the first copy, in
-- (sorted path, record number) order, of rows equal in every parsed contract column, whatever their
-- file format; the copies are counted as collapsed in the accounting.
-- Inputs: probe_results, probe_files (TEMP), intermediate.probe_scan, intermediate.probe_recount_pairs.
WITH rejected_records AS (
    SELECT file_path, line_number FROM intermediate.probe_scan WHERE outcome = 'rejected'
),
shared_rows AS (
    SELECT * FROM probe_results
    WHERE shared_as_written AND probed_at >= $month_start AND probed_at < $month_end
),
recount_rows AS (
    SELECT p.* FROM probe_results AS p
    SEMI JOIN intermediate.probe_recount_pairs AS r ON r.customer_id = p.customer_id AND r."check" = p."check"
    WHERE p.probed_at >= $month_start AND p.probed_at < $month_end
),
fetched AS (
    SELECT c.*
    FROM (SELECT * FROM shared_rows UNION ALL SELECT * FROM recount_rows) AS c
    ANTI JOIN rejected_records AS r ON r.file_path = c.file_path AND r.line_number = c.line_number
)
SELECT
    f.source_file,
    f.file_order,
    r.line_number,
    r.probed_at,
    r.minute,
    r.minute_number,
    r."check",
    r.region,
    r.customer_id,
    r.status_code,
    r.error_code,
    r.latency_ms,
    r.failed,
    row_number() OVER (
        PARTITION BY r.probed_at, r."check", r.region, r.customer_id, r.status_code, r.error_code, r.latency_ms
        ORDER BY f.file_order, r.line_number
    ) > 1 AS is_duplicate
FROM fetched AS r
JOIN probe_files AS f ON f.file_path = r.file_path
