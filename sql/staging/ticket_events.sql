-- Ticket events as typed rows, with the first reason (if any) that the record itself cannot be used.
-- Grain: one row per data record of ticket_events.csv. Inputs: raw.ticket_events.
-- `severity` is only meaningful on severity_changed; on other events it is ignored (not an error).
SELECT
    source_file,
    line_number,
    raw,
    try_cast(trim(event_id) AS BIGINT) AS event_id,
    trim(ticket_id) AS ticket_id,
    sla_timestamp(occurred_at) AS occurred_at,
    trim(event) AS event,
    CASE WHEN trim(event) = 'severity_changed' THEN trim(severity) END AS severity,
    trim(event_id) AS entity_id,
    md5(to_json([
        try_cast(trim(event_id) AS BIGINT)::VARCHAR, trim(ticket_id), sla_timestamp(occurred_at)::VARCHAR,
        trim(event), sla_text(severity)
    ])) AS content_hash,
    coalesce(
        shape_problem,
        CASE
            WHEN sla_text(event_id) IS NULL THEN 'event_id is empty'
            WHEN NOT regexp_full_match(trim(event_id), '\d{1,18}')
                THEN 'event_id ' || sla_quoted(event_id) || ' is not a whole number'
        END,
        sla_required_problem('ticket_id', ticket_id),
        sla_timestamp_problem('occurred_at', occurred_at, $run_started_at),
        sla_enum_problem('event', event, [
            'agent_reply', 'auto_reply', 'customer_reply', 'severity_changed', 'awaiting_customer',
            'resolved', 'reopened', 'customer_confirmed'
        ]),
        CASE
            WHEN trim(event) = 'severity_changed' AND sla_text(severity) IS NULL
                THEN 'severity_changed event has no severity'
            WHEN trim(event) = 'severity_changed' AND trim(severity) NOT IN ('S1', 'S2', 'S3', 'S4')
                THEN 'severity_changed event has severity ' || sla_quoted(severity) || ', not one of S1, S2, S3, S4'
        END
    ) AS reject_reason
FROM raw.ticket_events
