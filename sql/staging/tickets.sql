-- Support tickets as typed rows, with the first reason (if any) that the record itself cannot be used.
-- Grain: one row per data record of tickets.csv. Inputs: raw.tickets.
SELECT
    source_file,
    line_number,
    raw,
    trim(ticket_id) AS ticket_id,
    trim(customer_id) AS customer_id,
    trim(channel) AS channel,
    trim(severity) AS severity,
    sla_timestamp(created_at) AS created_at,
    subject,
    trim(ticket_id) AS entity_id,
    md5(to_json([
        trim(ticket_id), trim(customer_id), trim(channel), trim(severity),
        sla_timestamp(created_at)::VARCHAR, subject
    ])) AS content_hash,
    coalesce(
        shape_problem,
        sla_required_problem('ticket_id', ticket_id),
        sla_customer_id_problem('customer_id', customer_id),
        sla_enum_problem('channel', channel, ['email', 'slack_connect', 'dedicated_contact']),
        sla_enum_problem('severity', severity, ['S1', 'S2', 'S3', 'S4']),
        sla_timestamp_problem('created_at', created_at, $run_started_at)
    ) AS reject_reason
FROM raw.tickets
