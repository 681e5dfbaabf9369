-- Support attainment of the enterprise part of the month (R12). Grain: customer × severity × clock.
-- Inputs: main.support_attainment.
SELECT customer_id, severity, clock, met, breached, pending, attainment
FROM main.support_attainment
WHERE month = $month AND plan = 'enterprise'
ORDER BY customer_id, severity, clock
