-- The events of the month's tickets up to as-of (R11), including those after month end.
-- Grain: one row per event. Inputs: intermediate.valid_ticket_events, intermediate.valid_tickets.
SELECT t.month, e.event_id, e.ticket_id, e.occurred_at, e.event, e.severity
FROM intermediate.valid_ticket_events AS e
JOIN intermediate.valid_tickets AS t USING (ticket_id)
WHERE t.month = $month AND e.occurred_at <= $as_of
