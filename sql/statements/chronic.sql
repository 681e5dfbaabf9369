-- The month's chronic breaches (issue 13) for the finance summary: customers flagged by the policy's
-- chronic_breaches rule, with the reason. Internal: never printed on a customer's statement.
-- Grain: one row per flagged enterprise customer. Inputs: main.chronic_breaches.
SELECT customer_id, reason, months_below_target, months_known, capped_streak
FROM main.chronic_breaches
WHERE month = $month AND is_chronic
ORDER BY customer_id
