-- Pass 1, the only pass over every probe row: what each file's rows became, plus everything the
-- minute classification needs from the tenant rows, in one aggregate of few groups.
-- Grain: one row per group of (file, outcome, …):
--   outcome 'rejected'    — one row per rejected record (`line_number`): its `reason`, `raw` text;
--   outcome 'other_month' — one row per file: `rows` of valid rows probed outside the run's month;
--   outcome 'month', shared rows (`customer_id` NULL) — one row per file × minute (`minute_number`,
--                           minutes since the epoch): `rows`, `health_rows`, `failed_rows` (copies not
--                           yet collapsed: used only to find the minutes the shared sets settle);
--   outcome 'month', a failing tenant record — one row each (`line_number`, `minute_number`, `check`,
--                           `status_code`, `error_code`, `region`): failures are sparse;
--   outcome 'month', passing tenant rows — one row per file × customer × check: `rows` and
--                           `result_minutes`, a bitstring with bit i set when minute i of the month has
--                           a passing result. Comparing `rows` with the bits counts reveals where a
--                           minute holds several results (the only place a duplicate can hide), and the
--                           bits say which customer had data in a minute the shared sets leave open —
--                           without grouping ~45 M customer-minutes.
-- `rows` summed per file and outcome is the accounting. A customer rejected by ingestion is reported
-- here as unknown; rejected_probe_results words the inherited reason.
-- Inputs: probe_results (TEMP view, sql/staging/probe_results.sql), intermediate.valid_customers.
WITH checked AS (
    SELECT
        p.*,
        coalesce(
            p.parse_problem,
            CASE WHEN p.probed_at > $run_started_at
                THEN 'probed_at ''' || strftime(p.probed_at, '%Y-%m-%dT%H:%M:%SZ') || ''' is in the future (the run started at '
                     || strftime($run_started_at, '%Y-%m-%dT%H:%M:%SZ') || ')' END,
            CASE WHEN p.customer_id IS NOT NULL AND c.customer_id IS NULL
                THEN 'unknown customer ''' || p.customer_id || ''' (not in customers.csv)' END
        ) AS reason
    FROM probe_results AS p
    LEFT JOIN intermediate.valid_customers AS c ON c.customer_id = p.customer_id
),
classified AS (
    SELECT
        *,
        CASE
            WHEN reason IS NOT NULL THEN 'rejected'
            WHEN probed_at >= $month_start AND probed_at < $month_end THEN 'month'
            ELSE 'other_month'
        END AS outcome
    FROM checked
),
kinded AS (
    SELECT
        *,
        outcome = 'month' AND customer_id IS NOT NULL AND failed AS is_failing_tenant,
        outcome = 'month' AND customer_id IS NOT NULL AND NOT failed AS is_passing_tenant
    FROM classified
)
SELECT
    file_path,
    outcome,
    CASE WHEN outcome = 'rejected' OR is_failing_tenant THEN line_number END AS line_number,
    CASE WHEN outcome = 'rejected' OR is_failing_tenant OR (outcome = 'month' AND customer_id IS NULL)
        THEN minute_number END AS minute_number,
    CASE WHEN outcome = 'rejected' OR is_failing_tenant OR is_passing_tenant THEN customer_id END AS customer_id,
    CASE WHEN outcome = 'rejected' OR is_failing_tenant OR is_passing_tenant THEN "check" END AS "check",
    any_value(CASE WHEN outcome = 'rejected' THEN reason END) AS reason,
    any_value(CASE WHEN outcome = 'rejected'
        THEN coalesce(raw, CAST(to_json({'probed_at': probed_at_as_written, 'check': check_as_written,
            'region': region_as_written, 'customer_id': customer_id_as_written, 'status_code': status_code_as_written,
            'error_code': error_code_as_written, 'latency_ms': latency_ms_as_written}) AS VARCHAR)) END) AS raw,
    any_value(CASE WHEN is_failing_tenant THEN status_code END) AS status_code,
    any_value(CASE WHEN is_failing_tenant THEN error_code END) AS error_code,
    any_value(CASE WHEN is_failing_tenant THEN region END) AS region,
    count(*) AS rows,
    count(*) FILTER (WHERE "check" = 'health_live') AS health_rows,
    count(*) FILTER (WHERE failed) AS failed_rows,
    -- a month has at most 44,640 minutes: bit i = minute i after $month_start
    bitstring_agg(CAST(minute_number - epoch_us(CAST($month_start AS TIMESTAMPTZ)) // 60000000 AS INTEGER), 0, 44639)
        FILTER (WHERE is_passing_tenant) AS result_minutes
FROM kinded
GROUP BY ALL
