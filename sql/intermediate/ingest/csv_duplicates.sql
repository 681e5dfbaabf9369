-- Exact and conflicting duplicates across the CSV inputs, decided once for every source.
-- Grain: one row per record of a CSV input that passed its own row checks (staging reject_reason NULL).
-- Inputs: staging.customers, staging.contracts, staging.tickets, staging.ticket_events,
-- staging.maintenance, staging.incidents.
-- Exact copies (same parsed values in every contract column) collapse onto the first in (file, line)
-- order and are counted; distinct versions that share an id are all rejected, each naming the others,
-- because nobody can tell which one is true.
WITH candidate AS (
    SELECT 'customers' AS source, 'customer_id' AS id_column, source_file, line_number, entity_id, content_hash
    FROM staging.customers WHERE reject_reason IS NULL
    UNION ALL
    SELECT 'contracts', 'contract_id', source_file, line_number, entity_id, content_hash
    FROM staging.contracts WHERE reject_reason IS NULL
    UNION ALL
    SELECT 'tickets', 'ticket_id', source_file, line_number, entity_id, content_hash
    FROM staging.tickets WHERE reject_reason IS NULL
    UNION ALL
    SELECT 'ticket_events', 'event_id', source_file, line_number, entity_id, content_hash
    FROM staging.ticket_events WHERE reject_reason IS NULL
    UNION ALL
    SELECT 'maintenance', 'maintenance_id', source_file, line_number, entity_id, content_hash
    FROM staging.maintenance WHERE reject_reason IS NULL
    UNION ALL
    SELECT 'incidents', 'incident_id', source_file, line_number, entity_id, content_hash
    FROM staging.incidents WHERE reject_reason IS NULL
),
copies AS (
    SELECT
        *,
        row_number() OVER same_content AS copy_number,
        first_value(line_number) OVER same_content AS first_copy_line
    FROM candidate
    WINDOW same_content AS (PARTITION BY source, entity_id, content_hash ORDER BY source_file, line_number)
),
versions AS (
    -- The first line of each distinct version of an id.
    SELECT source, entity_id, content_hash, min(line_number) AS version_line
    FROM copies
    GROUP BY ALL
),
conflicts AS (
    SELECT
        v.source,
        v.entity_id,
        v.content_hash,
        string_agg(other.version_line::VARCHAR, ', ' ORDER BY other.version_line) AS other_lines
    FROM versions AS v
    JOIN versions AS other
        ON other.source = v.source AND other.entity_id = v.entity_id AND other.content_hash <> v.content_hash
    GROUP BY ALL
)
SELECT
    c.source,
    c.source_file,
    c.line_number,
    c.entity_id,
    c.copy_number > 1 AS is_collapsed_duplicate,
    CASE WHEN c.copy_number > 1 THEN c.first_copy_line END AS duplicate_of_line,
    CASE
        WHEN c.copy_number = 1 AND k.other_lines IS NOT NULL
            THEN 'conflicting duplicate: ' || c.id_column || ' ' || sla_quoted(c.entity_id)
                 || ' also appears with different values on line ' || k.other_lines || ' of ' || c.source_file
    END AS conflict_reason
FROM copies AS c
LEFT JOIN conflicts AS k USING (source, entity_id, content_hash)
