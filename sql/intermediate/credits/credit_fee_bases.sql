-- Fee base of each enterprise contract in the run's month (R19): monthly_fee × covered minutes /
-- minutes in the month, rounded half-up to the currency's minor unit, per contract.
-- Grain: one row per enterprise contract covering part of the month (growth is never credited, R1).
-- Money in integer minor units (HUGEINT): fee × 10^4 is exact for DECIMAL(22,4), and half-up is
-- floor((2a + b) / 2b) on integers.
-- Inputs: intermediate.contract_periods.
WITH exact AS (
    SELECT
        *,
        CAST(monthly_fee * 10000 AS HUGEINT) * covered_minutes
            * CAST([1, 10, 100, 1000, 10000][minor_unit + 1] AS HUGEINT) AS fee_numerator,
        CAST(month_minutes AS HUGEINT) * 10000 AS fee_denominator
    FROM intermediate.contract_periods
    WHERE plan = 'enterprise'
)
SELECT
    customer_id,
    contract_id,
    monthly_fee,
    currency,
    minor_unit,
    period_start,
    period_end,
    covered_minutes,
    month_minutes,
    (2 * fee_numerator + fee_denominator) // (2 * fee_denominator) AS fee_base_minor
FROM exact
