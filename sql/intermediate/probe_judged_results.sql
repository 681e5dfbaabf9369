-- Pass 2: the month's valid probe rows that can make a customer-minute anything but plainly up, with
-- exact duplicates marked. Every other valid row is a passing tenant result in a minute whose shared
-- health passed and no shared result failed: that minute is up whatever the row says (R15).
-- Grain: one row per probe record fetched: all shared rows; every tenant row of a (customer, minute)
-- with a failing tenant result; every tenant row in a minute where the shared sets do not settle the
-- minute (no shared health result, or a failing shared result); every copy of an exact-duplicate
-- candidate. `is_duplicate` marks all but the first copy in (sorted path, record number) order of rows
-- equal in every parsed contract column, whatever their file format.
-- Inputs: probe_results, probe_files (TEMP), intermediate.probe_scan, intermediate.valid_customers.
WITH month_minutes AS (
    SELECT range AS minute FROM range($month_start, $month_end, INTERVAL 1 MINUTE)
),
settled_minutes AS (
    SELECT minute FROM intermediate.probe_scan
    WHERE summary = 'judge' AND customer_id = '' AND health_rows > 0 AND failed_rows = 0
),
unsettled_minutes AS (
    SELECT minute FROM month_minutes
    EXCEPT
    SELECT minute FROM settled_minutes
),
failing_tenant_minutes AS (
    SELECT customer_id, minute FROM intermediate.probe_scan WHERE summary = 'judge' AND customer_id <> ''
),
duplicate_hashes AS (
    SELECT row_hash FROM intermediate.probe_scan WHERE summary = 'duplicate'
),
fetched AS (
    SELECT p.*
    FROM probe_results AS p
    WHERE p.parse_problem IS NULL
      AND p.probed_at >= $month_start AND p.probed_at < $month_end AND p.probed_at <= $run_started_at
      AND (p.customer_id IS NULL OR p.customer_id IN (SELECT customer_id FROM intermediate.valid_customers))
      AND (
          p.customer_id IS NULL
          OR p.minute IN (SELECT minute FROM unsettled_minutes)
          OR EXISTS (SELECT 1 FROM failing_tenant_minutes AS t WHERE t.customer_id = p.customer_id AND t.minute = p.minute)
          OR hash(p.probed_at, p."check", p.region, p.customer_id, p.status_code, p.error_code, p.latency_ms)
             IN (SELECT row_hash FROM duplicate_hashes)
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
