-- Maintenance windows touching the month, with whether their notice qualifies them as exclusions (R16:
-- announced more than 48 h before the start). Grain: one row per window per month.
-- Inputs: intermediate.valid_maintenance. customer_id NULL = every customer.
SELECT
    $month AS month, maintenance_id, starts_at, ends_at, announced_at, customer_id, title,
    sla_maintenance_notice_qualifies(announced_at, starts_at, $maintenance_notice_hours) AS notice_qualifies
FROM intermediate.valid_maintenance
WHERE starts_at < $month_end AND ends_at > $month_start
