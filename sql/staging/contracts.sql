-- Contracts as typed rows (R3), with the first reason (if any) that the record itself cannot be used.
-- Grain: one row per data record of contracts.csv. Inputs: raw.contracts, raw.iso4217_currencies.
-- Dates are read as UTC midnight; ends_on is exclusive and empty means open-ended.
-- A fee with more decimals than its currency has (EUR 10.005) is rejected rather than rounded: the
-- fee base of a statement must be reproducible from the contract as written.
SELECT
    c.source_file,
    c.line_number,
    c.raw,
    trim(c.contract_id) AS contract_id,
    trim(c.customer_id) AS customer_id,
    trim(c.plan) AS plan,
    try_cast(trim(c.monthly_fee) AS DECIMAL(22, 4)) AS monthly_fee,
    upper(trim(c.currency)) AS currency,
    iso.minor_unit,
    sla_date(c.starts_on) AS starts_on,
    sla_date(c.ends_on) AS ends_on,
    sla_date(c.starts_on)::TIMESTAMPTZ AS starts_at,
    sla_date(c.ends_on)::TIMESTAMPTZ AS ends_at,
    trim(c.contract_id) AS entity_id,
    md5(to_json([
        trim(c.contract_id), trim(c.customer_id), trim(c.plan),
        try_cast(trim(c.monthly_fee) AS DECIMAL(22, 4))::VARCHAR, upper(trim(c.currency)),
        sla_date(c.starts_on)::VARCHAR, sla_date(c.ends_on)::VARCHAR
    ])) AS content_hash,
    coalesce(
        c.shape_problem,
        sla_required_problem('contract_id', c.contract_id),
        sla_customer_id_problem('customer_id', c.customer_id),
        sla_enum_problem('plan', c.plan, ['enterprise', 'growth']),
        CASE
            WHEN sla_text(c.monthly_fee) IS NULL THEN 'monthly_fee is empty'
            WHEN regexp_full_match(trim(c.monthly_fee), '-\d+(\.\d+)?')
                THEN 'monthly_fee ' || sla_quoted(c.monthly_fee) || ' is negative'
            WHEN NOT regexp_full_match(trim(c.monthly_fee), '\d{1,18}(\.\d{1,4})?')
                THEN 'monthly_fee ' || sla_quoted(c.monthly_fee) || ' is not a decimal number (like 12500.00)'
        END,
        CASE
            WHEN sla_text(c.currency) IS NULL THEN 'currency is empty'
            WHEN iso.currency IS NULL THEN 'currency ' || sla_quoted(c.currency) || ' is not an ISO 4217 currency code'
            WHEN length(split_part(trim(c.monthly_fee), '.', 2)) > iso.minor_unit
                THEN 'monthly_fee ' || sla_quoted(c.monthly_fee) || ' has more decimals than ' || iso.currency
                     || ' allows (' || iso.minor_unit || ')'
        END,
        sla_date_problem('starts_on', c.starts_on),
        CASE
            WHEN sla_text(c.ends_on) IS NULL THEN NULL
            WHEN sla_date(c.ends_on) IS NULL THEN 'ends_on ' || sla_quoted(c.ends_on) || ' is not a date (YYYY-MM-DD)'
            WHEN sla_date(c.ends_on) <= sla_date(c.starts_on)
                THEN 'contract ends (ends_on ' || trim(c.ends_on) || ', exclusive) before it starts (starts_on '
                     || trim(c.starts_on) || ')'
        END
    ) AS reject_reason
FROM raw.contracts AS c
LEFT JOIN raw.iso4217_currencies AS iso ON iso.currency = upper(trim(c.currency))
