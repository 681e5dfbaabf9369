-- The tickets a run may use, with the plan and contract in force at created_at (R4), of every month.
-- Grain: one row per ticket_id. Inputs: intermediate.checked_tickets.
SELECT
    ticket_id, customer_id, channel, severity, created_at, subject, plan, contract_id, month,
    source_file, line_number
FROM intermediate.checked_tickets
WHERE reject_reason IS NULL AND NOT is_collapsed_duplicate
