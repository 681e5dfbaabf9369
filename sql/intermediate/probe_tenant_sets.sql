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
    -- One BIGINT key per set (customer number, minute of the month, check, and whether the minute is
    -- unsettled — a property of the minute, so it splits no set): grouping on a single integer is
    -- several times cheaper than on (text, minute, text) over ~45 M sets. Rows of other months or of
    -- an unknown check get no key. (A WHERE on probed_at would be pushed into the Parquet scan and parse
    -- every timestamp twice.)
    SELECT
        CASE WHEN p.minute_number >= epoch_us(CAST($month_start AS TIMESTAMPTZ)) // 60000000
                  AND p.minute_number < epoch_us(CAST($month_end AS TIMESTAMPTZ)) // 60000000
                  AND p."check" IN ('health_live', 'chat_completions')
            THEN ((c.customer_number * 65536 + (p.minute_number - epoch_us(CAST($month_start AS TIMESTAMPTZ)) // 60000000)) * 2
                  + CAST(p."check" = 'health_live' AS BIGINT)) * 2
                 + CAST(u.minute_number IS NOT NULL AS BIGINT)
        END AS set_key,
        -- four 16-bit counters in one integer, so each of the ~45 M groups keeps one sum, not four
        -- counts: results, failures, passthrough failures, customer-code failures (a set would need
        -- 65,536 results in one minute to overflow a counter)
        1
        + CAST(p.failed AS BIGINT) * 65536
        + CAST(coalesce(p.failed AND p.status_code = 502 AND p.error_code = 'upstream_error', false) AS BIGINT) * 4294967296
        + CAST(coalesce(p.failed AND p.error_code IN ('invalid_api_key', 'policy_misconfigured'), false) AS BIGINT) * 281474976710656
            AS counters
    FROM probe_results AS p
    JOIN customer_numbers AS c ON c.customer_id = p.customer_id
    LEFT JOIN unsettled_minutes AS u ON u.minute_number = p.minute_number
),
sets AS (
    SELECT set_key, CAST(sum(counters) AS UBIGINT) AS counters
    FROM keyed
    WHERE set_key IS NOT NULL
    GROUP BY set_key
),
decoded AS (
    SELECT
        set_key // 2 AS set_id,
        set_key % 2 = 1 AS in_unsettled_minute,
        counters % 65536 AS results,
        (counters // 65536) % 65536 AS failures,
        (counters // 4294967296) % 65536 AS passthrough_failures,
        counters // 281474976710656 AS customer_code_failures
    FROM sets
)
SELECT
    c.customer_id,
    epoch_us(CAST($month_start AS TIMESTAMPTZ)) // 60000000 + (d.set_id // 2) % 65536 AS minute_number,
    CASE WHEN d.set_id % 2 = 1 THEN 'health_live' ELSE 'chat_completions' END AS "check",
    CAST(d.results AS BIGINT) AS results,
    CAST(d.failures AS BIGINT) AS failures,
    CAST(d.passthrough_failures AS BIGINT) AS passthrough_failures,
    CAST(d.customer_code_failures AS BIGINT) AS customer_code_failures
FROM decoded AS d
JOIN customer_numbers AS c ON c.customer_number = d.set_id // 131072
WHERE d.results > 1 OR d.failures > 0 OR d.in_unsettled_minute
