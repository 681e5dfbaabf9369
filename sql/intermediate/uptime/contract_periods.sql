-- The measured period of each contract in the run's month (R3, R17): the part of [starts_at, ends_at)
-- inside the month. Contracts start and end at UTC midnights, so a period is whole minutes.
-- Grain: one row per contract covering at least one minute of the month.
-- Inputs: intermediate.valid_contracts (no two contracts of a customer overlap: ingestion stops the run).
WITH clipped AS (
    SELECT
        customer_id,
        contract_id,
        plan,
        monthly_fee,
        currency,
        minor_unit,
        -- explicit CASEs, not greatest()/least(): those skip NULLs and an open end is NULL
        CASE WHEN starts_at > $month_start THEN starts_at ELSE $month_start END AS period_start,
        CASE WHEN ends_at IS NULL OR ends_at > $month_end THEN $month_end ELSE ends_at END AS period_end
    FROM intermediate.valid_contracts
)
SELECT
    *,
    CAST(date_diff('minute', period_start, period_end) AS BIGINT) AS covered_minutes,
    CAST(date_diff('minute', CAST($month_start AS TIMESTAMPTZ), CAST($month_end AS TIMESTAMPTZ)) AS BIGINT) AS month_minutes
FROM clipped
WHERE period_start < period_end
