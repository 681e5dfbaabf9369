-- Support attainment per customer, month, plan, severity and clock (R12).
-- Grain: one row per customer × month × plan × severity × clock that has tickets in ticket_sla.
-- attainment = met / (met + breached), a fraction in [0, 1] truncated to 6 decimals (never rounded
-- up to 1); NULL when nothing is decided yet (met + breached = 0) — never 100 %. Pending clocks are
-- counted apart; no_target clocks are counted but belong to neither side. Severity is the one
-- ticket_sla reports (the clock's last segment, R9).
-- Inputs: main.ticket_sla (the run's month).
WITH counts AS (
    SELECT
        customer_id,
        month,
        plan,
        severity,
        clock,
        count(*) FILTER (WHERE status = 'met') AS met,
        count(*) FILTER (WHERE status = 'breached') AS breached,
        count(*) FILTER (WHERE status = 'pending') AS pending,
        count(*) FILTER (WHERE status = 'no_target') AS no_target
    FROM main.ticket_sla
    WHERE month = $month
    GROUP BY ALL
)
SELECT
    *,
    CASE
        WHEN met + breached > 0
            THEN CAST(CAST((met * 1000000) // (met + breached) AS DECIMAL(18, 0)) * 0.000001::DECIMAL(7, 6) AS DECIMAL(7, 6))
    END AS attainment
FROM counts
