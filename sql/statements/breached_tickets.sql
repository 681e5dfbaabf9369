-- Breached clocks of the enterprise tickets of the month (R10, R21), with the ticket's subject and
-- channel. Grain: one row per ticket × clock with status 'breached'.
-- Inputs: main.ticket_sla, main.tickets.
SELECT s.customer_id, s.ticket_id, s.clock, s.severity, s.business_time, s.target_seconds,
       s.elapsed_seconds, s.started_at, s.stopped_at, s.due_at, s.breached_at,
       t.created_at, t.channel, t.subject
FROM main.ticket_sla AS s
LEFT JOIN main.tickets AS t ON t.ticket_id = s.ticket_id AND t.month = s.month
WHERE s.month = $month AND s.plan = 'enterprise' AND s.status = 'breached'
ORDER BY s.customer_id, t.created_at, s.ticket_id, s.clock DESC
