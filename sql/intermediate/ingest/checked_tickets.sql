-- Every tickets.csv record with its final verdict and, when usable, its attribution (R4).
-- Grain: one row per data record of tickets.csv.
-- Inputs: staging.tickets, intermediate.csv_duplicates, intermediate.customer_references,
-- intermediate.valid_contracts, intermediate.checked_contracts.
-- A ticket belongs to the plan of the contract in force at created_at; without one it is rejected,
-- and when the contract that would have covered it was itself rejected, the reason says so.
WITH in_force AS (
    SELECT t.source_file, t.line_number, c.contract_id, c.plan
    FROM staging.tickets AS t
    JOIN intermediate.valid_contracts AS c
        ON c.customer_id = t.customer_id
        AND c.starts_at <= t.created_at
        AND (c.ends_at IS NULL OR t.created_at < c.ends_at)
),
rejected_cover AS (
    SELECT
        t.source_file,
        t.line_number,
        'its contract was rejected (' || min(c.source_file) || ' line ' || min(c.line_number) || ')' AS rejection
    FROM staging.tickets AS t
    JOIN intermediate.checked_contracts AS c
        ON c.customer_id = t.customer_id
        AND c.reject_reason IS NOT NULL
        AND c.starts_at <= t.created_at
        AND (c.ends_at IS NULL OR t.created_at < c.ends_at)
    GROUP BY ALL
)
SELECT
    s.* REPLACE (
        coalesce(
            s.reject_reason,
            sla_reference_problem('customer', s.customer_id, ref.is_valid, ref.rejection),
            CASE WHEN f.contract_id IS NULL THEN coalesce(
                rc.rejection,
                'customer ' || sla_quoted(s.customer_id) || ' has no contract in force at created_at '
                    || strftime(s.created_at, '%Y-%m-%dT%H:%M:%SZ')
            ) END
        ) AS reject_reason
    ),
    f.contract_id,
    f.plan,
    strftime(s.created_at, '%Y-%m') AS month
FROM sla_row_verdicts('tickets', 'staging.tickets', 'intermediate.csv_duplicates') AS s
LEFT JOIN intermediate.customer_references AS ref ON ref.customer_id = s.customer_id
LEFT JOIN in_force AS f ON f.source_file = s.source_file AND f.line_number = s.line_number
LEFT JOIN rejected_cover AS rc ON rc.source_file = s.source_file AND rc.line_number = s.line_number
