-- Breached clocks of the enterprise tickets of the month (R9, R10, R21), with the ticket's subject and
-- channel. Severity, business time, target and elapsed time are those of the segment that breached
-- first (ticket_sla reports the last segment's: a ticket that breached at S1 and was then lowered to
-- S2 would otherwise print an S2 target it never exceeded); `segments` lists every severity segment
-- of the clock in order, for the "S1 for 2:00, then S2" history.
-- Grain: one row per ticket × clock with status 'breached'.
-- Inputs: main.ticket_sla, main.ticket_sla_segments, main.tickets.
SELECT s.customer_id, s.ticket_id, s.clock, b.severity, b.business_time, b.target_seconds,
       b.elapsed_seconds, s.started_at, s.stopped_at, s.due_at, s.breached_at,
       t.created_at, t.channel, t.subject,
       (SELECT list({'severity': g.severity, 'segment_start': g.segment_start, 'segment_end': g.segment_end}
                    ORDER BY g.segment_no)
        FROM main.ticket_sla_segments AS g
        WHERE g.month = s.month AND g.ticket_id = s.ticket_id AND g.clock = s.clock) AS segments
FROM main.ticket_sla AS s
LEFT JOIN main.ticket_sla_segments AS b
    ON b.month = s.month AND b.ticket_id = s.ticket_id AND b.clock = s.clock AND b.segment_no = s.breached_segment_no
LEFT JOIN main.tickets AS t ON t.ticket_id = s.ticket_id AND t.month = s.month
WHERE s.month = $month AND s.plan = 'enterprise' AND s.status = 'breached'
ORDER BY s.customer_id, t.created_at, s.ticket_id, s.clock DESC
