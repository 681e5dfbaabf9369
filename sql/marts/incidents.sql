-- Incident windows touching the month; customer_caused ones excuse minutes (R16), the rest are narrative.
-- Grain: one row per incident per month. Inputs: intermediate.valid_incidents.
SELECT $month AS month, incident_id, starts_at, ends_at, cause, customer_id, summary
FROM intermediate.valid_incidents
WHERE starts_at < $month_end AND ends_at > $month_start
