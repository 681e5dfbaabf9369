-- Fingerprint input: the customer's enterprise tickets of the month (R4). Grain: one row per ticket.
-- Inputs: main.tickets.
SELECT customer_id, ticket_id, channel, severity, created_at, subject, plan, contract_id, month
FROM main.tickets
WHERE month = $month AND plan = 'enterprise'
