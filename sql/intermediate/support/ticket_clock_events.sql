-- Ticket events as known at as-of, in the order the clocks process them (R8, R11).
-- Grain: one row per event of a ticket of the run's month created at or before as-of. Events after
-- as-of are ignored (R11); ties on occurred_at are broken by event_id (R8). `seq` numbers the events
-- of a ticket in that order, starting at 1 (0 stands for the ticket's creation in later models).
-- Inputs: intermediate.valid_tickets, intermediate.valid_ticket_events.
SELECT
    e.ticket_id,
    e.event_id,
    e.occurred_at,
    e.event,
    e.severity,
    row_number() OVER (PARTITION BY e.ticket_id ORDER BY e.occurred_at, e.event_id) AS seq
FROM intermediate.valid_ticket_events AS e
JOIN intermediate.valid_tickets AS t ON t.ticket_id = e.ticket_id
WHERE t.month = $month
  AND t.created_at <= $as_of
  AND e.occurred_at <= $as_of
