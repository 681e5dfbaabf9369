-- Every customer-minute of a measured period that is not plainly up, with its state (R14-R16).
-- Grain: one row per (customer, minute) in a measured period whose state is `unavailable`,
-- `maintenance`, `customer_caused`, `upstream` or `no_data`; `window_id` names the maintenance window
-- or incident that excused it (the smallest id when windows overlap: a minute counts once).
-- Only candidate minutes are judged — the minutes whose shared sets do not settle them for everyone
-- (no shared health result, or a failing shared result) and each customer's minutes with a failing
-- tenant result; every other covered minute is up.
-- Inputs: intermediate.probe_tenant_sets, intermediate.probe_judged_results,
-- intermediate.contract_periods,
-- intermediate.valid_maintenance, intermediate.valid_incidents.
WITH results AS (
    SELECT
        *,
        failed AND status_code = 502 AND error_code = 'upstream_error' AS is_passthrough,
        failed AND customer_id IS NOT NULL AND error_code IN ('invalid_api_key', 'policy_misconfigured') AS is_customer_code
    FROM intermediate.probe_judged_results
    WHERE NOT is_duplicate
),
-- R15: each check is judged on two sets separately — the shared results and the customer's own.
shared_sets AS (
    SELECT
        minute,
        "check",
        count(*) AS results,
        count(*) FILTER (WHERE failed) AS failures,
        count(*) FILTER (WHERE is_passthrough) AS passthrough_failures
    FROM results
    WHERE customer_id IS NULL
    GROUP BY minute, "check"
),
recounted_sets AS (
    SELECT
        customer_id,
        minute_number,
        "check",
        count(*) AS results,
        count(*) FILTER (WHERE failed) AS failures,
        count(*) FILTER (WHERE is_passthrough) AS passthrough_failures,
        count(*) FILTER (WHERE is_customer_code) AS customer_code_failures
    FROM results
    WHERE customer_id IS NOT NULL
    GROUP BY customer_id, minute_number, "check"
),
tenant_sets AS (
    -- sets as pass 1 counted them, plus the (customer, check) pairs pass 2 recounted row by row
    SELECT make_timestamptz(t.minute_number * 60000000) AS minute, t.* EXCLUDE (minute_number)
    FROM (
        SELECT customer_id, minute_number, "check", results, failures, passthrough_failures, customer_code_failures
        FROM intermediate.probe_tenant_sets
        UNION ALL
        SELECT customer_id, minute_number, "check", results, failures, passthrough_failures, customer_code_failures
        FROM recounted_sets
    ) AS t
),
unsettled_minutes AS (
    SELECT minute FROM range($month_start, $month_end, INTERVAL 1 MINUTE) AS m(minute)
    EXCEPT
    SELECT minute FROM shared_sets GROUP BY minute
    HAVING count(*) FILTER (WHERE "check" = 'health_live') > 0 AND sum(failures) = 0
),
periods AS (
    SELECT customer_id, plan, period_start, period_end FROM intermediate.contract_periods
),
candidates AS (
    SELECT p.customer_id, p.plan, u.minute
    FROM periods AS p
    JOIN unsettled_minutes AS u ON u.minute >= p.period_start AND u.minute < p.period_end
    UNION
    SELECT p.customer_id, p.plan, t.minute
    FROM periods AS p
    JOIN (SELECT DISTINCT customer_id, minute FROM tenant_sets WHERE failures > 0) AS t
        ON t.customer_id = p.customer_id AND t.minute >= p.period_start AND t.minute < p.period_end
),
judged AS (
    SELECT
        c.customer_id,
        c.plan,
        c.minute,
        coalesce(sh.results, 0) + coalesce(th.results, 0) AS health_results,
        coalesce(sc.results, 0) + coalesce(tc.results, 0) AS chat_results,
        -- a set fails when at least half of its results failed; a set with no results neither fails nor passes
        coalesce(2 * sh.failures >= sh.results, false) OR coalesce(2 * th.failures >= th.results, false) AS health_failed,
        coalesce(2 * sc.failures >= sc.results, false) AS shared_chat_failed,
        coalesce(2 * tc.failures >= tc.results, false) AS tenant_chat_failed,
        sc.failures AS shared_chat_failures,
        sc.passthrough_failures AS shared_chat_passthrough,
        tc.failures AS tenant_chat_failures,
        tc.passthrough_failures AS tenant_chat_passthrough,
        tc.customer_code_failures AS tenant_chat_customer_code
    FROM candidates AS c
    LEFT JOIN shared_sets AS sh ON sh.minute = c.minute AND sh."check" = 'health_live'
    LEFT JOIN shared_sets AS sc ON sc.minute = c.minute AND sc."check" = 'chat_completions'
    LEFT JOIN tenant_sets AS th ON th.customer_id = c.customer_id AND th.minute = c.minute AND th."check" = 'health_live'
    LEFT JOIN tenant_sets AS tc ON tc.customer_id = c.customer_id AND tc.minute = c.minute AND tc."check" = 'chat_completions'
),
down AS (
    -- The failing results of the failing chat set(s) only: a failing result in a set that passed is outvoted.
    SELECT
        *,
        health_failed OR shared_chat_failed OR tenant_chat_failed AS is_down,
        CASE WHEN shared_chat_failed THEN shared_chat_failures ELSE 0 END
            + CASE WHEN tenant_chat_failed THEN tenant_chat_failures ELSE 0 END AS chat_failures,
        CASE WHEN shared_chat_failed THEN shared_chat_passthrough ELSE 0 END
            + CASE WHEN tenant_chat_failed THEN tenant_chat_passthrough ELSE 0 END AS chat_passthrough,
        CASE WHEN tenant_chat_failed THEN tenant_chat_customer_code ELSE 0 END AS chat_customer_code
    FROM judged
),
windows AS (
    SELECT
        d.customer_id,
        d.minute,
        -- R16.1: a qualifying notice; for this customer or for all (NULL)
        (
            SELECT min(w.maintenance_id) FROM intermediate.valid_maintenance AS w
            WHERE (w.customer_id IS NULL OR w.customer_id = d.customer_id)
              AND sla_maintenance_notice_qualifies(w.announced_at, w.starts_at, $maintenance_notice_hours)
              AND w.starts_at <= d.minute AND d.minute + INTERVAL 1 MINUTE <= w.ends_at
        ) AS maintenance_id,
        (
            SELECT min(i.incident_id) FROM intermediate.valid_incidents AS i
            WHERE i.cause = 'customer_caused' AND i.customer_id = d.customer_id
              AND i.starts_at <= d.minute AND d.minute + INTERVAL 1 MINUTE <= i.ends_at
        ) AS incident_id
    FROM down AS d
    WHERE d.is_down
)
SELECT
    d.customer_id,
    d.plan,
    d.minute,
    CASE
        WHEN health_results + chat_results = 0 THEN 'no_data'
        WHEN w.maintenance_id IS NOT NULL THEN 'maintenance'
        -- R16.2: the exclusions below need evidence that the gateway itself was up
        WHEN health_failed OR health_results = 0 THEN 'unavailable'
        WHEN w.incident_id IS NOT NULL THEN 'customer_caused'
        WHEN chat_customer_code = chat_failures THEN 'customer_caused'
        WHEN chat_customer_code + chat_passthrough = chat_failures AND chat_passthrough > 0 THEN 'upstream'
        ELSE 'unavailable'
    END AS state,
    CASE
        WHEN health_results + chat_results = 0 THEN NULL
        WHEN w.maintenance_id IS NOT NULL THEN w.maintenance_id
        WHEN health_failed OR health_results = 0 THEN NULL
        ELSE w.incident_id
    END AS window_id,
    health_results,
    chat_results,
    health_failed
FROM down AS d
LEFT JOIN windows AS w ON w.customer_id = d.customer_id AND w.minute = d.minute
WHERE d.is_down OR health_results + chat_results = 0
