-- Tenant result sets (R15) that pass 1 cannot settle alone: per (customer, minute, check) with more
-- than one result (an exact duplicate can hide there: pass 2 recounts it row by row), or in a minute
-- the shared sets do not settle (no shared health result, or a failing shared result), the number of
-- the month's tenant results. Failing results are listed by pass 1 itself (probe_scan); every other
-- set is one passing result in a settled minute, and its minute is up.
-- Grain: one row per such set.
-- Inputs: probe_results (TEMP view), intermediate.probe_scan, intermediate.valid_customers (rows of
-- other customers are rejected and never counted). This is the one aggregate over every tenant row
-- (~45 M sets a month); it reads three columns and keeps a 64-bit key and a count per set. It does not
-- re-check validity: a set holding a rejected record is recounted exactly in pass 2.
WITH unsettled_minutes AS (
    SELECT range AS minute_number
    FROM range(epoch_us(CAST($month_start AS TIMESTAMPTZ)) // 60000000, epoch_us(CAST($month_end AS TIMESTAMPTZ)) // 60000000)
    EXCEPT
    SELECT minute_number FROM intermediate.probe_scan
    WHERE outcome = 'month' AND minute_number IS NOT NULL AND line_number IS NULL  -- shared minutes
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
    -- several times cheaper than on (text, minute, text). Rows of other months or of an unknown check
    -- get no key. (A WHERE on probed_at would be pushed into the Parquet scan and parse every
    -- timestamp twice.)
    SELECT
        CASE WHEN p.minute_number >= epoch_us(CAST($month_start AS TIMESTAMPTZ)) // 60000000
                  AND p.minute_number < epoch_us(CAST($month_end AS TIMESTAMPTZ)) // 60000000
                  AND p."check" IN ('health_live', 'chat_completions')
            THEN ((c.customer_number * 65536 + (p.minute_number - epoch_us(CAST($month_start AS TIMESTAMPTZ)) // 60000000)) * 2
                  + CAST(p."check" = 'health_live' AS BIGINT)) * 2
                 + CAST(u.minute_number IS NOT NULL AS BIGINT)
        END AS set_key
    FROM probe_results AS p
    JOIN customer_numbers AS c ON c.customer_id = p.customer_id
    LEFT JOIN unsettled_minutes AS u ON u.minute_number = p.minute_number
),
sets AS (
    SELECT set_key // 2 AS set_id, count(*) AS results
    FROM keyed
    WHERE set_key IS NOT NULL
    GROUP BY set_key
    HAVING count(*) > 1 OR set_key % 2 = 1
)
SELECT
    c.customer_id,
    epoch_us(CAST($month_start AS TIMESTAMPTZ)) // 60000000 + (s.set_id // 2) % 65536 AS minute_number,
    CASE WHEN s.set_id % 2 = 1 THEN 'health_live' ELSE 'chat_completions' END AS "check",
    s.results
FROM sets AS s
JOIN customer_numbers AS c ON c.customer_number = s.set_id // 131072
