-- Pass 1 over every probe row: what each file's rows became, and the few keys pass 2 must fetch.
-- Grain: one row per summary group, labelled by `summary`:
--   'file'      — per file × outcome ('rejected' | 'other_month' | 'month'): `rows` (the accounting);
--   'rejected'  — per rejected record (file, line): its `reason` and `raw` text;
--   'duplicate' — per `row_hash` shared by ≥ 2 of the month's valid rows (exact-duplicate candidates);
--   'judge'     — per minute with shared results (`customer_id` = '') and per (tenant customer, minute)
--                 with a failing tenant result: `rows`, `health_rows`, `failed_rows`.
-- Inputs: probe_results (TEMP view, sql/staging/probe_results.sql), intermediate.valid_customers,
-- probe_customer_rejections (TEMP view). One GROUPING SETS aggregate so the ~45 M rows are read and
-- parsed once here (reading them is the cost that matters; see docs/uptime-credits.md).
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
        CASE WHEN outcome = 'rejected' THEN raw END AS rejected_raw,
        CASE WHEN outcome = 'month'
            THEN hash(probed_at, "check", region, customer_id, status_code, error_code, latency_ms) END AS row_hash,
        CASE WHEN outcome = 'month' AND (customer_id IS NULL OR failed) THEN coalesce(customer_id, '') END AS judge_customer,
        CASE WHEN outcome = 'month' AND (customer_id IS NULL OR failed) THEN minute END AS judge_minute
    FROM outcomes
)
SELECT
    CASE
        WHEN GROUPING(outcome) = 0 THEN 'file'
        WHEN GROUPING(rejected_line) = 0 THEN 'rejected'
        WHEN GROUPING(row_hash) = 0 THEN 'duplicate'
        ELSE 'judge'
    END AS summary,
    file_path,
    outcome,
    rejected_line AS line_number,
    any_value(rejected_reason) AS reason,
    any_value(rejected_raw) AS raw,
    row_hash,
    judge_customer AS customer_id,
    judge_minute AS minute,
    count(*) AS rows,
    count(*) FILTER (WHERE "check" = 'health_live') AS health_rows,
    count(*) FILTER (WHERE failed) AS failed_rows
FROM keyed
GROUP BY GROUPING SETS ((file_path, outcome), (file_path, rejected_line), (row_hash), (judge_customer, judge_minute))
HAVING
    GROUPING(outcome) = 0
    OR (GROUPING(rejected_line) = 0 AND rejected_line IS NOT NULL)
    OR (GROUPING(row_hash) = 0 AND row_hash IS NOT NULL AND count(*) > 1)
    OR (GROUPING(judge_customer) = 0 AND judge_customer IS NOT NULL)
