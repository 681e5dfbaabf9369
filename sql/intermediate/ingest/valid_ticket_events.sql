-- The ticket events a run may use (of every month; the clocks apply as-of themselves).
-- Grain: one row per event_id. Inputs: intermediate.checked_ticket_events.
SELECT event_id, ticket_id, occurred_at, event, severity, source_file, line_number
FROM intermediate.checked_ticket_events
WHERE reject_reason IS NULL AND NOT is_collapsed_duplicate
