-- The tickets created in the month (R4), with the plan and contract in force at created_at.
-- Grain: one row per ticket. Inputs: intermediate.valid_tickets.
SELECT month, ticket_id, customer_id, channel, severity, created_at, subject, plan, contract_id
FROM intermediate.valid_tickets
WHERE month = $month
