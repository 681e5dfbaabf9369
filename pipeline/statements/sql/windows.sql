-- Maintenance windows and incidents that touch the month, for one customer or for all (customer_id
-- NULL). Grain: one row per window. Used to name the reason of excluded periods (R16) and to list
-- incidents on statements; `qualifies` says whether a maintenance window was announced more than
-- 48 h before its start (R16.1).
SELECT 'maintenance' AS kind, maintenance_id AS window_id, customer_id, starts_at, ends_at,
       NULL AS cause, title AS description, announced_at,
       announced_at < starts_at - INTERVAL 48 HOUR AS qualifies
FROM intermediate.valid_maintenance
WHERE starts_at < $month_end AND ends_at > $month_start
UNION ALL
SELECT 'incident', incident_id, customer_id, starts_at, ends_at, cause, summary, NULL, NULL
FROM intermediate.valid_incidents
WHERE starts_at < $month_end AND ends_at > $month_start
ORDER BY starts_at, kind, window_id
