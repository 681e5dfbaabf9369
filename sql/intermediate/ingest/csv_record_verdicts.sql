-- The fate of every record of every CSV input in this run: used, of another month, rejected, or
-- collapsed onto an exact copy. Grain: one row per data record of each CSV input file.
-- Inputs: intermediate.checked_* and the month scope ($month_start, $month_end, $as_of).
-- "Other months" means outside this run's scope: contracts, windows and customers that do not touch the
-- month, tickets created in another month, events of those tickets or dated after as-of (R11).
WITH month_contracts AS (
    SELECT * FROM intermediate.valid_contracts
    WHERE starts_at < $month_end AND (ends_at IS NULL OR ends_at > $month_start)
),
scoped AS (
    SELECT 'customers' AS source, source_file, line_number, raw, reject_reason, is_collapsed_duplicate,
        customer_id IN (SELECT customer_id FROM month_contracts) AS in_month
    FROM intermediate.checked_customers
    UNION ALL
    SELECT 'contracts', source_file, line_number, raw, reject_reason, is_collapsed_duplicate,
        contract_id IN (SELECT contract_id FROM month_contracts)
    FROM intermediate.checked_contracts
    UNION ALL
    SELECT 'tickets', source_file, line_number, raw, reject_reason, is_collapsed_duplicate,
        created_at >= $month_start AND created_at < $month_end
    FROM intermediate.checked_tickets
    UNION ALL
    SELECT 'ticket_events', e.source_file, e.line_number, e.raw, e.reject_reason, e.is_collapsed_duplicate,
        e.occurred_at <= $as_of AND e.ticket_id IN (
            SELECT ticket_id FROM intermediate.valid_tickets WHERE created_at >= $month_start AND created_at < $month_end
        )
    FROM intermediate.checked_ticket_events AS e
    UNION ALL
    SELECT 'maintenance', source_file, line_number, raw, reject_reason, is_collapsed_duplicate,
        starts_at < $month_end AND ends_at > $month_start
    FROM intermediate.checked_maintenance
    UNION ALL
    SELECT 'incidents', source_file, line_number, raw, reject_reason, is_collapsed_duplicate,
        starts_at < $month_end AND ends_at > $month_start
    FROM intermediate.checked_incidents
)
SELECT
    source,
    source_file,
    line_number,
    raw,
    CASE
        WHEN is_collapsed_duplicate THEN 'collapsed'
        WHEN reject_reason IS NOT NULL THEN 'rejected'
        WHEN in_month THEN 'used'
        ELSE 'other_month'
    END AS verdict,
    CASE WHEN NOT is_collapsed_duplicate THEN reject_reason END AS reason
FROM scoped
