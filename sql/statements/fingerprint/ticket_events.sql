-- Fingerprint input: the events of the customer's enterprise tickets of the month up to as-of (R11:
-- later events are ignored; the mart holds exactly those). Grain: one row per event.
-- Inputs: main.ticket_events, main.tickets.
SELECT t.customer_id, e.event_id, e.ticket_id, e.occurred_at, e.event, e.severity
FROM main.ticket_events AS e
JOIN main.tickets AS t ON t.ticket_id = e.ticket_id AND t.month = e.month
WHERE e.month = $month AND t.plan = 'enterprise'
