-- The month's customer-minutes that are not plainly up, with their state (R14-R16): `unavailable`,
-- `maintenance`, `customer_caused`, `upstream`, `no_data`. Consecutive minutes of one state make the
-- statements' unavailable and excluded periods; `window_id` names the maintenance window or incident
-- that excused a minute. Grain: one row per customer × minute (× plan in force then).
-- Inputs: intermediate.minute_states.
SELECT
    customer_id,
    $month AS month,
    plan,
    minute,
    state,
    window_id
FROM intermediate.minute_states
ORDER BY customer_id, minute
