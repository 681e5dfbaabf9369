-- Fingerprint input: the events of those tickets up to as-of (R11: later events are ignored).
-- Grain: one row per event.
SELECT t.customer_id, e.event_id, e.ticket_id, e.occurred_at, e.event, e.severity
FROM intermediate.valid_ticket_events AS e
JOIN intermediate.valid_tickets AS t ON t.ticket_id = e.ticket_id
WHERE t.month = $month AND t.plan = 'enterprise' AND e.occurred_at <= $as_of
