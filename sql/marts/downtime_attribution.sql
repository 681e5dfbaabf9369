-- Downtime attribution: why each minute of a customer's month was not up, by cause, deciding probe
-- check and region — what support and account managers read when a customer asks what took their
-- minutes. Grain: one row per customer × month × plan × cause × cause_id × check × region.
-- Every minute the uptime engine classified as not up (R14–R16) is attributed exactly once, except
-- `no_data` minutes (no result, nothing to attribute; uptime_monthly counts them apart): the minutes
-- of a customer × plan add up to uptime_monthly's unavailable + maintenance + customer_caused +
-- upstream minutes.
-- `cause`:
--   maintenance        excused by a qualifying maintenance window (`cause_id` = its id, R16.1);
--   customer_caused    excused as customer-caused (`cause_id` = the incident, NULL when the customer's
--                      own error codes decided, R16.3);
--   upstream           excused as an upstream passthrough (R16.4);
--   platform_incident  counted against uptime, in a minute a platform incident for this customer or for
--                      everyone overlaps (`cause_id` = the smallest such incident id);
--   unattributed       counted against uptime, no platform incident overlaps it.
-- `counts_against_uptime`: the minute lowered uptime (state `unavailable`). `check`: the check that
-- decided the minute — `health_live` when its set failed or had no result (R16.2), else
-- `chat_completions`. `region`: the region with the most failing results of that check in the minute
-- (the shared results and the customer's own; ties by region name), NULL when it had no result.
-- `first_minute` / `last_minute_end`: the span the row's minutes fall in (not necessarily contiguous).
-- Inputs: intermediate.minute_states, intermediate.valid_incidents, intermediate.probe_judged_results,
-- intermediate.probe_scan, intermediate.probe_recount_pairs.
WITH down AS (
    SELECT
        customer_id,
        plan,
        minute,
        state,
        window_id,
        CASE WHEN health_failed OR health_results = 0 THEN 'health_live' ELSE 'chat_completions' END AS decided_by
    FROM intermediate.minute_states
    WHERE state <> 'no_data'
),
failing_results AS (
    -- pass 2 holds every shared row and the recounted tenant pairs; pass 1 every other failing tenant record
    SELECT customer_id, minute, "check", region
    FROM intermediate.probe_judged_results
    WHERE failed AND NOT is_duplicate
    UNION ALL
    SELECT s.customer_id, make_timestamptz(s.minute_number * 60000000), s."check", s.region
    FROM intermediate.probe_scan AS s
    ANTI JOIN intermediate.probe_recount_pairs AS r ON r.customer_id = s.customer_id AND r."check" = s."check"
    WHERE s.outcome = 'month' AND s.customer_id IS NOT NULL AND s.line_number IS NOT NULL
),
region_failures AS (
    SELECT d.customer_id, d.minute, f.region, count(*) AS failures
    FROM down AS d
    JOIN failing_results AS f
        ON f.minute = d.minute AND f."check" = d.decided_by
       AND (f.customer_id IS NULL OR f.customer_id = d.customer_id)
    GROUP BY ALL
),
deciding_region AS (
    SELECT customer_id, minute, first(region ORDER BY failures DESC, region NULLS LAST) AS region
    FROM region_failures
    GROUP BY ALL
),
platform AS (
    SELECT d.customer_id, d.minute, min(i.incident_id) AS incident_id
    FROM down AS d
    JOIN intermediate.valid_incidents AS i
        ON i.cause = 'platform' AND (i.customer_id IS NULL OR i.customer_id = d.customer_id)
       AND i.starts_at < d.minute + INTERVAL 1 MINUTE AND i.ends_at > d.minute
    WHERE d.state = 'unavailable'
    GROUP BY ALL
)
SELECT
    $month AS month,
    d.customer_id,
    d.plan,
    CASE
        WHEN d.state <> 'unavailable' THEN d.state
        WHEN p.incident_id IS NOT NULL THEN 'platform_incident'
        ELSE 'unattributed'
    END AS cause,
    CASE WHEN d.state = 'unavailable' THEN p.incident_id ELSE d.window_id END AS cause_id,
    d.state = 'unavailable' AS counts_against_uptime,
    d.decided_by AS "check",
    r.region,
    count(*) AS minutes,
    min(d.minute) AS first_minute,
    max(d.minute) + INTERVAL 1 MINUTE AS last_minute_end
FROM down AS d
LEFT JOIN platform AS p ON p.customer_id = d.customer_id AND p.minute = d.minute
LEFT JOIN deciding_region AS r ON r.customer_id = d.customer_id AND r.minute = d.minute
GROUP BY ALL
ORDER BY d.customer_id, d.plan, cause, cause_id, "check", r.region
