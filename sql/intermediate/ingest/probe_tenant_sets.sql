-- Tenant result sets (R15) that can make a customer-minute anything but up, as pass 1 counted them:
-- every set with a failing record, and every passing set in a minute the shared sets do not settle
-- (no shared health result, or a failing shared result: the tenant's own results decide there whether
-- the customer had data and health evidence). Pairs pass 2 recounts (probe_recount_pairs) are left
-- out: minute_states takes their sets from pass 2. Every other set is one passing result in a settled
-- minute, and its minute is up.
-- Grain: one row per (customer, minute, check) set. Inputs: intermediate.probe_scan,
-- intermediate.probe_recount_pairs.
WITH unsettled_minutes AS (
    SELECT range AS minute_number
    FROM range(epoch_us(CAST($month_start AS TIMESTAMPTZ)) // 60000000, epoch_us(CAST($month_end AS TIMESTAMPTZ)) // 60000000)
    EXCEPT
    SELECT minute_number FROM intermediate.probe_scan
    WHERE outcome = 'month' AND customer_id IS NULL AND minute_number IS NOT NULL
    GROUP BY minute_number
    HAVING sum(health_rows) > 0 AND sum(failed_rows) = 0
),
failing_sets AS (
    SELECT
        customer_id,
        minute_number,
        "check",
        1 AS results,
        1 AS failures,
        CAST(coalesce(status_code = 502 AND error_code = 'upstream_error', false) AS INTEGER) AS passthrough_failures,
        CAST(coalesce(error_code IN ('invalid_api_key', 'policy_misconfigured'), false) AS INTEGER) AS customer_code_failures
    FROM intermediate.probe_scan
    WHERE outcome = 'month' AND customer_id IS NOT NULL AND line_number IS NOT NULL
),
passing AS (
    SELECT customer_id, "check", bit_or(result_minutes) AS result_minutes
    FROM intermediate.probe_scan
    WHERE outcome = 'month' AND customer_id IS NOT NULL AND line_number IS NULL
    GROUP BY customer_id, "check"
),
passing_sets_in_unsettled_minutes AS (
    SELECT p.customer_id, u.minute_number, p."check", 1 AS results, 0 AS failures,
           0 AS passthrough_failures, 0 AS customer_code_failures
    FROM passing AS p
    CROSS JOIN unsettled_minutes AS u
    WHERE get_bit(p.result_minutes,
                  CAST(u.minute_number - epoch_us(CAST($month_start AS TIMESTAMPTZ)) // 60000000 AS INTEGER)) = 1
)
SELECT s.*
FROM (SELECT * FROM failing_sets UNION ALL SELECT * FROM passing_sets_in_unsettled_minutes) AS s
ANTI JOIN intermediate.probe_recount_pairs AS r ON r.customer_id = s.customer_id AND r."check" = s."check"
