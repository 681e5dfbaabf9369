-- Pass 1 over every probe row: what each file's rows became, and the few keys pass 2 must fetch.
-- Grain: one row per summary group, labelled by `summary`:
--   'file'      — per file × outcome ('rejected' | 'other_month' | 'month'): `rows` (the accounting);
--   'rejected'  — per rejected record (file, line): its `reason` and `raw` text;
--   'shared'    — per minute (`minute_number`, minutes since the epoch) with shared results: `rows`,
--                 `health_rows`, `failed_rows`;
--   'failing'   — per (tenant customer, minute) with a failing tenant result, keyed by
--                 `tenant_key` = hash(customer_id, minute_number) >> 1 (pass 2 fetches all its rows).
-- The other tenant keys pass 2 needs (sets with several results) come from probe_tenant_sets.
-- Inputs: probe_results (TEMP view, sql/staging/probe_results.sql), intermediate.valid_customers,
-- probe_customer_rejections (TEMP view). One GROUPING SETS aggregate of few groups, so the ~45 M rows
-- are read and fully parsed once (see docs/uptime-credits.md).
WITH checked AS (
    SELECT
        p.*,
        coalesce(
            p.parse_problem,
            CASE WHEN p.probed_at > $run_started_at
                THEN 'probed_at ''' || strftime(p.probed_at, '%Y-%m-%dT%H:%M:%SZ') || ''' is in the future (the run started at '
                     || strftime($run_started_at, '%Y-%m-%dT%H:%M:%SZ') || ')' END,
            CASE WHEN p.customer_id IS NOT NULL AND c.customer_id IS NULL
                THEN coalesce(r.rejection, 'unknown customer ''' || p.customer_id || ''' (not in customers.csv)') END
        ) AS reason
    FROM probe_results AS p
    LEFT JOIN intermediate.valid_customers AS c ON c.customer_id = p.customer_id
    LEFT JOIN probe_customer_rejections AS r ON r.customer_id = p.customer_id
),
outcomes AS (
    SELECT
        *,
        CASE
            WHEN reason IS NOT NULL THEN 'rejected'
            WHEN probed_at >= $month_start AND probed_at < $month_end THEN 'month'
            ELSE 'other_month'
        END AS outcome
    FROM checked
),
keyed AS (
    SELECT
        file_path,
        outcome,
        "check",
        failed,
        CASE WHEN outcome = 'rejected' THEN line_number END AS rejected_line,
        CASE WHEN outcome = 'rejected' THEN reason END AS rejected_reason,
        CASE WHEN outcome = 'rejected' THEN coalesce(raw, CAST(to_json(text_record) AS VARCHAR)) END AS rejected_raw,
        CASE WHEN outcome = 'month' AND customer_id IS NOT NULL AND failed THEN hash(customer_id, minute_number) >> 1 END AS tenant_key,
        CASE WHEN outcome = 'month' AND customer_id IS NULL THEN minute_number END AS shared_minute
    FROM outcomes
)
SELECT
    CASE
        WHEN GROUPING(outcome) = 0 THEN 'file'
        WHEN GROUPING(rejected_line) = 0 THEN 'rejected'
        WHEN GROUPING(tenant_key) = 0 THEN 'failing'
        ELSE 'shared'
    END AS summary,
    file_path,
    outcome,
    rejected_line AS line_number,
    any_value(rejected_reason) AS reason,
    any_value(rejected_raw) AS raw,
    tenant_key,
    shared_minute AS minute_number,
    count(*) AS rows,
    count(*) FILTER (WHERE "check" = 'health_live') AS health_rows,
    count(*) FILTER (WHERE failed) AS failed_rows
FROM keyed
GROUP BY GROUPING SETS ((file_path, outcome), (file_path, rejected_line), (tenant_key), (shared_minute))
HAVING
    GROUPING(outcome) = 0
    OR (GROUPING(rejected_line) = 0 AND rejected_line IS NOT NULL)
    OR (GROUPING(tenant_key) = 0 AND tenant_key IS NOT NULL)
    OR (GROUPING(shared_minute) = 0 AND shared_minute IS NOT NULL)
