-- What-if comparison (sla-report simulate, issue 13): each enterprise customer-month's published
-- figures beside those the same models computed under a proposed policy in a scratch build.
-- Grain: one row per enterprise customer × month present in either build.
-- Inputs: current_credits, current_uptime, current_attainment (TEMP copies of the published
-- warehouse's rows), main.credits, main.uptime_monthly, main.support_attainment (the scratch build).
WITH keys AS (
    SELECT customer_id, month FROM current_credits
    UNION
    SELECT customer_id, month FROM main.credits
),
attainment AS (
    SELECT 'current' AS side, customer_id, month, severity, clock, attainment
    FROM current_attainment WHERE plan = 'enterprise'
    UNION ALL
    SELECT 'proposed', customer_id, month, severity, clock, attainment
    FROM main.support_attainment WHERE plan = 'enterprise'
),
attainment_wide AS (
    SELECT
        customer_id,
        month,
        max(attainment) FILTER (side = 'current' AND clock = 'response' AND severity = 'S1') AS response_s1_current,
        max(attainment) FILTER (side = 'proposed' AND clock = 'response' AND severity = 'S1') AS response_s1_proposed,
        max(attainment) FILTER (side = 'current' AND clock = 'response' AND severity = 'S2') AS response_s2_current,
        max(attainment) FILTER (side = 'proposed' AND clock = 'response' AND severity = 'S2') AS response_s2_proposed,
        max(attainment) FILTER (side = 'current' AND clock = 'response' AND severity = 'S3') AS response_s3_current,
        max(attainment) FILTER (side = 'proposed' AND clock = 'response' AND severity = 'S3') AS response_s3_proposed,
        max(attainment) FILTER (side = 'current' AND clock = 'response' AND severity = 'S4') AS response_s4_current,
        max(attainment) FILTER (side = 'proposed' AND clock = 'response' AND severity = 'S4') AS response_s4_proposed,
        max(attainment) FILTER (side = 'current' AND clock = 'resolution' AND severity = 'S1') AS resolution_s1_current,
        max(attainment) FILTER (side = 'proposed' AND clock = 'resolution' AND severity = 'S1') AS resolution_s1_proposed,
        max(attainment) FILTER (side = 'current' AND clock = 'resolution' AND severity = 'S2') AS resolution_s2_current,
        max(attainment) FILTER (side = 'proposed' AND clock = 'resolution' AND severity = 'S2') AS resolution_s2_proposed,
        max(attainment) FILTER (side = 'current' AND clock = 'resolution' AND severity = 'S3') AS resolution_s3_current,
        max(attainment) FILTER (side = 'proposed' AND clock = 'resolution' AND severity = 'S3') AS resolution_s3_proposed,
        max(attainment) FILTER (side = 'current' AND clock = 'resolution' AND severity = 'S4') AS resolution_s4_current,
        max(attainment) FILTER (side = 'proposed' AND clock = 'resolution' AND severity = 'S4') AS resolution_s4_proposed
    FROM attainment
    GROUP BY customer_id, month
)
SELECT
    k.customer_id,
    k.month,
    coalesce(p.currency, c.currency) AS currency,
    coalesce(p.minor_unit, c.minor_unit) AS minor_unit,
    c.credit_amount AS credit_current,
    p.credit_amount AS credit_proposed,
    coalesce(p.credit_amount, 0) - coalesce(c.credit_amount, 0) AS delta,
    coalesce(p.credit_amount_minor, 0) - coalesce(c.credit_amount_minor, 0) AS delta_minor,
    pu.uptime AS uptime,
    cu.uptime AS uptime_current,
    c.shortfall_steps AS steps_current,
    p.shortfall_steps AS steps_proposed,
    c.credit_pct AS credit_pct_current,
    p.credit_pct AS credit_pct_proposed,
    a.* EXCLUDE (customer_id, month)
FROM keys AS k
LEFT JOIN current_credits AS c ON c.customer_id = k.customer_id AND c.month = k.month
LEFT JOIN main.credits AS p ON p.customer_id = k.customer_id AND p.month = k.month
LEFT JOIN current_uptime AS cu ON cu.customer_id = k.customer_id AND cu.month = k.month AND cu.plan = 'enterprise'
LEFT JOIN main.uptime_monthly AS pu ON pu.customer_id = k.customer_id AND pu.month = k.month AND pu.plan = 'enterprise'
LEFT JOIN attainment_wide AS a ON a.customer_id = k.customer_id AND a.month = k.month
ORDER BY k.month, k.customer_id
