-- Scheduled maintenance windows as typed rows, with the first reason (if any) the record cannot be used.
-- Grain: one row per data record of maintenance.csv (absent file = no rows). Inputs: raw.maintenance.
-- A window may lie in the future (maintenance is scheduled ahead); only announced_at must not, and a
-- window cannot move the as-of instant. Empty customer_id = the window applies to every customer.
SELECT
    source_file,
    line_number,
    raw,
    trim(maintenance_id) AS maintenance_id,
    sla_timestamp(starts_at) AS starts_at,
    sla_timestamp(ends_at) AS ends_at,
    sla_timestamp(announced_at) AS announced_at,
    sla_text(customer_id) AS customer_id,
    title,
    trim(maintenance_id) AS entity_id,
    md5(to_json([
        trim(maintenance_id), sla_timestamp(starts_at)::VARCHAR, sla_timestamp(ends_at)::VARCHAR,
        sla_timestamp(announced_at)::VARCHAR, sla_text(customer_id), title
    ])) AS content_hash,
    coalesce(
        shape_problem,
        sla_required_problem('maintenance_id', maintenance_id),
        sla_timestamp_problem('starts_at', starts_at, NULL),
        sla_timestamp_problem('ends_at', ends_at, NULL),
        sla_timestamp_problem('announced_at', announced_at, $run_started_at),
        CASE WHEN sla_text(customer_id) IS NOT NULL THEN sla_customer_id_problem('customer_id', customer_id) END,
        CASE
            WHEN sla_timestamp(ends_at) <= sla_timestamp(starts_at)
                THEN 'window ends (' || sla_instant_as_written(ends_at) || ') before it starts ('
                     || sla_instant_as_written(starts_at) || ')'
        END
    ) AS reject_reason
FROM raw.maintenance
