-- Classified incident windows as typed rows, with the first reason (if any) the record cannot be used.
-- Grain: one row per data record of incidents.csv (absent file = no rows). Inputs: raw.incidents.
-- customer_caused incidents need the customer they excuse; upstream/platform ones are narrative (R16).
SELECT
    source_file,
    line_number,
    raw,
    trim(incident_id) AS incident_id,
    sla_timestamp(starts_at) AS starts_at,
    sla_timestamp(ends_at) AS ends_at,
    trim(cause) AS cause,
    sla_text(customer_id) AS customer_id,
    summary,
    trim(incident_id) AS entity_id,
    md5(to_json([
        trim(incident_id), sla_timestamp(starts_at)::VARCHAR, sla_timestamp(ends_at)::VARCHAR,
        trim(cause), sla_text(customer_id), summary
    ])) AS content_hash,
    coalesce(
        shape_problem,
        sla_required_problem('incident_id', incident_id),
        sla_timestamp_problem('starts_at', starts_at, NULL),
        sla_timestamp_problem('ends_at', ends_at, NULL),
        sla_enum_problem('cause', cause, ['customer_caused', 'upstream', 'platform']),
        CASE
            WHEN trim(cause) = 'customer_caused' AND sla_text(customer_id) IS NULL
                THEN 'customer_caused incident has no customer_id'
            WHEN sla_text(customer_id) IS NOT NULL THEN sla_customer_id_problem('customer_id', customer_id)
        END,
        CASE
            WHEN sla_timestamp(ends_at) <= sla_timestamp(starts_at)
                THEN 'window ends (' || sla_instant_as_written(ends_at) || ') before it starts ('
                     || sla_instant_as_written(starts_at) || ')'
        END
    ) AS reject_reason
FROM raw.incidents
