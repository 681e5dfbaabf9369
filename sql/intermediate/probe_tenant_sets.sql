-- Tenant result sets (R15) that can make a customer-minute anything but up: per (customer, minute,
-- check), the month's tenant results, failures, passthrough failures (502 upstream_error) and failures
-- with the customer's own codes (invalid_api_key, policy_misconfigured).
-- Grain: one row per tenant set with a failure, or with more than one result (where an exact duplicate
-- can hide: pass 2 recounts it exactly), or in a minute the shared sets do not settle (no shared
-- health result, or a failing shared result). All other sets are one passing result in a settled
-- minute: their minute is up.
-- Inputs: probe_results (TEMP view), intermediate.probe_scan, intermediate.valid_customers (rows of
-- other customers are rejected and never counted). This is the one aggregate over every
-- tenant row (~45 M sets a month); it reads five columns and does not re-check validity: a set holding
-- a rejected record is recounted exactly in pass 2 (probe_judged_results), which is cheaper than
-- parsing every column again here.
WITH unsettled_minutes AS (
    SELECT range AS minute_number
    FROM range(epoch_us(CAST($month_start AS TIMESTAMPTZ)) // 60000000, epoch_us(CAST($month_end AS TIMESTAMPTZ)) // 60000000)
    EXCEPT
    SELECT minute_number FROM intermediate.probe_scan
    WHERE outcome = 'month' AND minute_number IS NOT NULL
    GROUP BY minute_number
    HAVING sum(health_rows) > 0 AND sum(failed_rows) = 0
),
customer_numbers AS (
    SELECT customer_id, CAST(row_number() OVER (ORDER BY customer_id) AS BIGINT) AS customer_number
    FROM intermediate.valid_customers
),
keyed AS (
    -- One BIGINT per set (customer number, minute of the month, check bit): grouping on a single
    -- integer is several times cheaper than on (text, minute, text) over ~45 M sets. Rows of other
    -- months or of an unknown check get no key. (A WHERE on probed_at would be pushed into the Parquet
    -- scan and parse every timestamp twice.)
    SELECT
        CASE WHEN p.minute_number >= epoch_us(CAST($month_start AS TIMESTAMPTZ)) // 60000000
                  AND p.minute_number < epoch_us(CAST($month_end AS TIMESTAMPTZ)) // 60000000
                  AND p."check" IN ('health_live', 'chat_completions')
            THEN (c.customer_number * 65536 + (p.minute_number - epoch_us(CAST($month_start AS TIMESTAMPTZ)) // 60000000)) * 2
                 + CAST(p."check" = 'health_live' AS BIGINT)
        END AS set_key,
        p.failed,
        p.failed AND p.status_code = 502 AND p.error_code = 'upstream_error' AS is_passthrough,
        p.failed AND p.error_code IN ('invalid_api_key', 'policy_misconfigured') AS is_customer_code,
        u.minute_number IS NOT NULL AS in_unsettled_minute
    FROM probe_results AS p
    JOIN customer_numbers AS c ON c.customer_id = p.customer_id
    LEFT JOIN unsettled_minutes AS u ON u.minute_number = p.minute_number
),
sets AS (
    SELECT
        set_key,
        count(*) AS results,
        count(*) FILTER (WHERE failed) AS failures,
        count(*) FILTER (WHERE is_passthrough) AS passthrough_failures,
        count(*) FILTER (WHERE is_customer_code) AS customer_code_failures
    FROM keyed
    GROUP BY set_key
    HAVING set_key IS NOT NULL AND (count(*) > 1 OR count(*) FILTER (WHERE failed) > 0 OR bool_or(in_unsettled_minute))
)
SELECT
    c.customer_id,
    epoch_us(CAST($month_start AS TIMESTAMPTZ)) // 60000000 + (s.set_key // 2) % 65536 AS minute_number,
    CASE WHEN s.set_key % 2 = 1 THEN 'health_live' ELSE 'chat_completions' END AS "check",
    s.results,
    s.failures,
    s.passthrough_failures,
    s.customer_code_failures
FROM sets AS s
JOIN customer_numbers AS c ON c.customer_number = s.set_key // 131072
