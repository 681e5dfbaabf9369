-- Fingerprint input: maintenance windows and incidents touching the month, the customer's own and
-- those for everyone (customer_id NULL, shared by every statement). Grain: one row per window.
-- Inputs: main.maintenance_windows, main.incidents.
SELECT 'maintenance' AS source, maintenance_id AS window_id, customer_id, starts_at, ends_at,
       announced_at, NULL AS cause, title AS text
FROM main.maintenance_windows
WHERE month = $month
UNION ALL
SELECT 'incident', incident_id, customer_id, starts_at, ends_at, NULL, cause, summary
FROM main.incidents
WHERE month = $month
