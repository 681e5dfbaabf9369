-- Customers as typed rows, with the first reason (if any) that the record itself cannot be used.
-- Grain: one row per data record of customers.csv. Inputs: raw.customers.
-- Cross-row rules (duplicates) are applied in intermediate.csv_duplicates.
SELECT
    source_file,
    line_number,
    raw,
    trim(customer_id) AS customer_id,
    sla_text(name) AS name,
    sla_text(billing_email) AS billing_email,
    trim(customer_id) AS entity_id,
    md5(to_json([trim(customer_id), sla_text(name), sla_text(billing_email)])) AS content_hash,
    coalesce(
        shape_problem,
        sla_customer_id_problem('customer_id', customer_id),
        sla_required_problem('name', name)
    ) AS reject_reason
FROM raw.customers
