-- Pauses of the month's resolution clocks that an auditor should look at (issue 13, WARN): set right
-- after the customer replied, set just before the deadline, or on a ticket paused again and again
-- (thresholds: the policy's pause_audit section). Internal; the reasons are the ones agents see.
SELECT ticket_id, customer_id, event_id, paused_at, severity, reasons
FROM main.ticket_pause_audit
WHERE month = $month AND flagged
ORDER BY customer_id, ticket_id, paused_at
