-- Fingerprint input: maintenance windows and incidents touching the month, the customer's own and
-- those for everyone (customer_id NULL, shared by every statement). Grain: one row per window.
SELECT 'maintenance' AS source, maintenance_id AS window_id, customer_id, starts_at, ends_at,
       announced_at, NULL AS cause, title AS text
FROM intermediate.valid_maintenance
WHERE starts_at < $month_end AND ends_at > $month_start
UNION ALL
SELECT 'incident', incident_id, customer_id, starts_at, ends_at, NULL, cause, summary
FROM intermediate.valid_incidents
WHERE starts_at < $month_end AND ends_at > $month_start
