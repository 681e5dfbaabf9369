-- Statement heads: one row per enterprise customer-month that gets a credit statement (R1, R21).
-- Grain: one row per customer of `credits` in $month. Joins the enterprise uptime row (R17) and the
-- customer's name; a missing uptime or customer row comes back NULL and is reported by the builder.
-- The shortfall is the credits mart's exact fraction (R18) and the minor unit its currency's (R19).
-- Inputs: main.credits, main.uptime_monthly, main.customers.
SELECT
    c.customer_id,
    k.name,
    k.billing_email,
    c.currency,
    c.minor_unit,
    c.fee_base,
    c.shortfall_numerator,
    c.shortfall_denominator,
    c.shortfall_steps,
    c.credit_pct,
    c.credit_amount,
    c.capped,
    u.total_minutes,
    u.unavailable_minutes,
    u.maintenance_minutes,
    u.customer_caused_minutes,
    u.upstream_minutes,
    u.no_data_minutes,
    u.uptime,
    u.target
FROM main.credits AS c
LEFT JOIN main.uptime_monthly AS u
    ON u.customer_id = c.customer_id AND u.month = c.month AND u.plan = 'enterprise'
LEFT JOIN main.customers AS k
    ON k.customer_id = c.customer_id AND k.month = c.month
WHERE c.month = $month
ORDER BY c.customer_id
