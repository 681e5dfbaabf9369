-- Tickets of the month that do not have exactly one response and one resolution clock in ticket_sla.
SELECT t.ticket_id, t.customer_id, count(s.clock) AS clocks, string_agg(s.clock, ', ') AS clock_names
FROM intermediate.valid_tickets AS t
LEFT JOIN main.ticket_sla AS s ON s.ticket_id = t.ticket_id AND s.month = t.month
WHERE t.month = $month
GROUP BY t.ticket_id, t.customer_id
HAVING count(s.clock) <> 2 OR count(DISTINCT s.clock) <> 2
