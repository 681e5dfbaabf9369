-- Pass 2: the month's valid probe rows that can make a customer-minute anything but plainly up, with
-- exact duplicates marked. Every other valid row is a single passing tenant result of its check in a
-- minute whose shared health passed and no shared result failed: that minute is up whatever the row
-- says (R15), and it has no duplicate (its set has one result).
-- Grain: one row per probe record fetched: all shared rows; every tenant row of a (customer, minute)
-- that pass 1 flagged (a failing tenant result: probe_scan; more than one result of a check:
-- probe_tenant_sets); every tenant row
-- in a minute the shared sets do not settle (no shared health result, or a failing shared result).
-- `is_duplicate` marks all but the first copy, in (sorted path, record number) order, of rows equal in
-- every parsed contract column, whatever their file format.
-- The filter reads only customer_id and the minute; validity comes from pass 1 (its rejected records),
-- so the costly parsing runs only for the rows fetched.
-- Inputs: probe_results, probe_files (TEMP), intermediate.probe_scan, intermediate.probe_tenant_sets.
WITH unsettled_minutes AS (
    SELECT range AS minute_number
    FROM range(epoch_us(CAST($month_start AS TIMESTAMPTZ)) // 60000000, epoch_us(CAST($month_end AS TIMESTAMPTZ)) // 60000000)
    EXCEPT
    SELECT minute_number FROM intermediate.probe_scan
    WHERE summary = 'shared' AND health_rows > 0 AND failed_rows = 0
),
tenant_keys AS (
    SELECT tenant_key FROM intermediate.probe_scan WHERE summary = 'failing'
    UNION
    SELECT tenant_key FROM intermediate.probe_tenant_sets
),
rejected_records AS (
    SELECT file_path, line_number FROM intermediate.probe_scan WHERE summary = 'rejected'
),
fetched AS (
    SELECT p.*
    FROM probe_results AS p
    WHERE p.probed_at >= $month_start AND p.probed_at < $month_end
      AND (
          p.customer_id IS NULL
          OR p.minute_number IN (SELECT minute_number FROM unsettled_minutes)
          OR hash(p.customer_id, p.minute_number) >> 1 IN (SELECT tenant_key FROM tenant_keys)
      )
      AND NOT EXISTS (
          SELECT 1 FROM rejected_records AS r WHERE r.file_path = p.file_path AND r.line_number = p.line_number
      )
)
SELECT
    f.source_file,
    f.file_order,
    r.line_number,
    r.probed_at,
    r.minute,
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
