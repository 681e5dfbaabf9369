-- Every ticket_events.csv record with its final verdict: own problems, duplicates, then its ticket.
-- Grain: one row per data record of ticket_events.csv.
-- Inputs: staging.ticket_events, intermediate.csv_duplicates, intermediate.checked_tickets,
-- intermediate.valid_tickets.
WITH ticket_references AS (
    SELECT
        ticket_id,
        bool_or(reject_reason IS NULL AND NOT is_collapsed_duplicate) AS is_valid,
        'its ticket was rejected (' || min(source_file) || ' line ' || min(line_number) || ')' AS rejection
    FROM intermediate.checked_tickets
    WHERE ticket_id IS NOT NULL
    GROUP BY ticket_id
)
SELECT
    s.* REPLACE (
        coalesce(
            s.reject_reason,
            sla_reference_problem('ticket', s.ticket_id, ref.is_valid, ref.rejection),
            CASE WHEN s.occurred_at < t.created_at
                THEN 'event is dated ' || strftime(s.occurred_at, '%Y-%m-%dT%H:%M:%SZ')
                     || ', before its ticket was created (' || strftime(t.created_at, '%Y-%m-%dT%H:%M:%SZ') || ')'
            END
        ) AS reject_reason
    )
FROM sla_row_verdicts('ticket_events', 'staging.ticket_events', 'intermediate.csv_duplicates') AS s
LEFT JOIN ticket_references AS ref ON ref.ticket_id = s.ticket_id
LEFT JOIN intermediate.valid_tickets AS t ON t.ticket_id = s.ticket_id
