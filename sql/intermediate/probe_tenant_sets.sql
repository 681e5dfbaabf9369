-- Tenant (customer, minute) pairs where one check has more than one result: the only places an exact
-- duplicate can hide in a tenant set, and where a failing result may have passing companions.
-- Grain: one row per such pair, keyed by `tenant_key` = hash(customer_id, minute_number) >> 1 (a hash
-- collision only makes pass 2 fetch a few more rows, which it then judges exactly).
-- Inputs: probe_results (TEMP view). This is the one aggregate over every tenant row (~45 M keys); it
-- reads three columns and keeps one 64-bit key and a count per group: the low bit of the key is the check.
-- Rejected rows are not excluded here (pass 2 excludes them): a superset is harmless and cheaper.
SELECT DISTINCT set_key >> 1 AS tenant_key
FROM (
    SELECT ((hash(customer_id, minute_number) >> 1) << 1) | CAST("check" = 'health_live' AS UBIGINT) AS set_key
    FROM probe_results
    WHERE customer_id IS NOT NULL AND probed_at >= $month_start AND probed_at < $month_end
)
GROUP BY set_key
HAVING count(*) > 1
