-- Service credits of enterprise customer-months (R18, R19); growth is measured, never credited (R20).
-- shortfall = U/T - (1 - target), kept exact as shortfall_numerator / shortfall_denominator. Steps:
-- whole_steps = floor(shortfall / step) (default: a partial step earns nothing), started_steps = ceil,
-- pro_rata = the exact ratio (its stored shortfall_steps is the whole steps, for display). credit_pct =
-- min(cap, steps × credit per step), `capped` when that product exceeds the cap; stored truncated to 4
-- decimals, the amount uses the exact value. credit_amount = credit_pct % × fee_base, half-up to the
-- minor unit. Policy decimals arrive as integers over $credit_scale, so all arithmetic is on integers.
-- Grain: one row per customer with an enterprise contract covering part of the month.
-- Inputs: intermediate.credit_fee_bases, main.uptime_monthly (this month's enterprise rows).
WITH fees AS (
    SELECT
        customer_id,
        currency,
        min(minor_unit) AS minor_unit,
        sum(fee_base_minor) AS fee_base_minor,
        string_agg(contract_id, ', ' ORDER BY period_start) AS contract_ids
    FROM intermediate.credit_fee_bases
    -- one currency per customer-month: a clash stopped the run before this model (R19)
    GROUP BY customer_id, currency
),
shortfalls AS (
    SELECT
        f.*,
        u.total_minutes,
        u.unavailable_minutes,
        u.target,
        -- shortfall = (U·scale - T·(1 - target)·scale) / (T·scale); one step = step·scale / scale
        CAST(u.unavailable_minutes AS HUGEINT) * $credit_scale - CAST(u.total_minutes AS HUGEINT) * $target_gap AS excess,
        CAST(u.total_minutes AS HUGEINT) * $credit_scale AS shortfall_denominator,
        CAST(u.total_minutes AS HUGEINT) * $credit_step AS step_denominator
    FROM fees AS f
    JOIN main.uptime_monthly AS u ON u.customer_id = f.customer_id AND u.month = $month AND u.plan = 'enterprise'
),
steps AS (
    SELECT
        *,
        CASE
            WHEN excess <= 0 THEN 0
            WHEN $credit_mode = 'started_steps' THEN (excess + step_denominator - 1) // step_denominator
            ELSE excess // step_denominator
        END AS shortfall_steps
    FROM shortfalls
),
uncapped AS (
    -- credit percentage as an exact fraction pct_numerator / pct_denominator (in percent)
    SELECT
        *,
        CASE WHEN $credit_mode = 'pro_rata'
            THEN CASE WHEN excess > 0 THEN excess * $credit_per_step ELSE 0 END
            ELSE shortfall_steps * $credit_per_step END AS raw_numerator,
        CASE WHEN $credit_mode = 'pro_rata' THEN step_denominator * $credit_scale
            ELSE CAST($credit_scale AS HUGEINT) END AS raw_denominator
    FROM steps
),
capped AS (
    SELECT
        *,
        raw_numerator * $credit_scale > CAST($credit_cap AS HUGEINT) * raw_denominator AS is_capped
    FROM uncapped
),
credited AS (
    SELECT
        *,
        CASE WHEN is_capped THEN CAST($credit_cap AS HUGEINT) ELSE raw_numerator END AS pct_numerator,
        CASE WHEN is_capped THEN CAST($credit_scale AS HUGEINT) ELSE raw_denominator END AS pct_denominator
    FROM capped
),
amounts AS (
    SELECT
        *,
        (2 * pct_numerator * fee_base_minor + 100 * pct_denominator) // (200 * pct_denominator) AS credit_amount_minor
    FROM credited
)
SELECT
    customer_id,
    $month AS month,
    currency,
    minor_unit,
    contract_ids,
    CAST(CAST(fee_base_minor AS DECIMAL(38, 0)) * [1.0000, 0.1000, 0.0100, 0.0010, 0.0001][minor_unit + 1]
         AS DECIMAL(22, 4)) AS fee_base,
    CAST(fee_base_minor AS BIGINT) AS fee_base_minor,
    total_minutes,
    unavailable_minutes,
    target,
    excess AS shortfall_numerator,
    shortfall_denominator,
    CAST(shortfall_steps AS INTEGER) AS shortfall_steps,
    CAST(CAST(pct_numerator * 10000 // pct_denominator AS DECIMAL(18, 0)) * CAST(0.0001 AS DECIMAL(5, 4))
         AS DECIMAL(9, 4)) AS credit_pct,
    pct_numerator AS credit_pct_numerator,
    pct_denominator AS credit_pct_denominator,
    CAST(CAST(credit_amount_minor AS DECIMAL(38, 0)) * [1.0000, 0.1000, 0.0100, 0.0010, 0.0001][minor_unit + 1]
         AS DECIMAL(22, 4)) AS credit_amount,
    CAST(credit_amount_minor AS BIGINT) AS credit_amount_minor,
    is_capped AS capped,
    $credit_mode AS credit_mode
FROM amounts
ORDER BY customer_id
