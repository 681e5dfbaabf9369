-- Pass 1 over every probe row: what each file's rows became, and where the shared sets settle minutes.
-- Grain: one row per (file, outcome, rejected record, shared minute) group:
--   outcome 'rejected'    — one row per rejected record (`line_number`): its `reason`, `raw` text and the
--                           tenant set it would have joined (`customer_id`, `minute_number`, `check`);
--   outcome 'other_month' — one row per file: `rows` of valid rows probed outside the run's month;
--   outcome 'month'       — per file, one row for its passing tenant rows (`minute_number` NULL), one per
--                           failing tenant record (`line_number`, with its set and `status_code`,
--                           `error_code`: failures are sparse, and counting them here keeps the one
--                           aggregate over every tenant set down to a count), and one per minute with
--                           shared rows (`minute_number` = minutes since the epoch) with `health_rows` and
--                           `failed_rows` (copies not yet collapsed: used only to find the minutes the
--                           shared sets settle — some health result and no failure).
-- `rows` summed per file and outcome is the accounting. A customer rejected by ingestion is reported
-- here as unknown; rejected_probe_results words the inherited reason.
-- Inputs: probe_results (TEMP view, sql/staging/probe_results.sql), intermediate.valid_customers.
-- One plain aggregate of few groups, so the ~45 M rows are read and fully parsed once
-- (see docs/uptime-credits.md).
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
keyed AS (
    SELECT
        *,
        CASE
            WHEN reason IS NOT NULL THEN 'rejected'
            WHEN probed_at >= $month_start AND probed_at < $month_end THEN 'month'
            ELSE 'other_month'
        END AS outcome
    FROM checked
)
SELECT
    file_path,
    outcome,
    CASE WHEN outcome = 'rejected' OR (outcome = 'month' AND customer_id IS NOT NULL AND failed) THEN line_number END AS line_number,
    CASE WHEN outcome = 'rejected' OR (outcome = 'month' AND (customer_id IS NULL OR failed)) THEN minute_number END AS minute_number,
    any_value(CASE WHEN outcome = 'rejected' THEN reason END) AS reason,
    any_value(CASE WHEN outcome = 'rejected'
        THEN coalesce(raw, CAST(to_json({'probed_at': probed_at_as_written, 'check': check_as_written,
            'region': region_as_written, 'customer_id': customer_id_as_written, 'status_code': status_code_as_written,
            'error_code': error_code_as_written, 'latency_ms': latency_ms_as_written}) AS VARCHAR)) END) AS raw,
    any_value(CASE WHEN outcome = 'rejected' OR failed THEN customer_id END) AS customer_id,
    any_value(CASE WHEN outcome = 'rejected' OR failed THEN "check" END) AS "check",
    any_value(CASE WHEN outcome = 'month' AND failed THEN status_code END) AS status_code,
    any_value(CASE WHEN outcome = 'month' AND failed THEN error_code END) AS error_code,
    count(*) AS rows,
    count(*) FILTER (WHERE "check" = 'health_live') AS health_rows,
    count(*) FILTER (WHERE failed) AS failed_rows
FROM keyed
GROUP BY ALL
