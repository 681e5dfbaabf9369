-- The severity segments behind each ticket clock (R9): what a reader needs to see which segment
-- breached and what the ticket went through, e.g. "S1 for 0:47, then S2".
-- Grain: one row per ticket × clock × segment of a ticket created in the month (R4) at or before
-- as-of (R11). `elapsed_seconds` is the segment's running time counted from `since_at` (business or
-- calendar seconds, as its target); `breached` when it exceeded `target_seconds`; `breached_at` the
-- first instant it was over its target (never before the segment began). Whole seconds (decisions,
-- in ticket_sla, use microseconds).
-- Inputs: intermediate.ticket_segment_elapsed, intermediate.ticket_deadline_requests,
-- intermediate.business_deadlines.
WITH exceeded AS (
    SELECT r.ticket_id, r.clock, r.segment_no, max(d.due_at) AS exceeded_at
    FROM intermediate.ticket_deadline_requests AS r
    JOIN intermediate.business_deadlines AS d ON d.request_id = r.request_id
    WHERE r.kind = 'breach'
    GROUP BY ALL
)
SELECT
    e.ticket_id,
    e.customer_id,
    e.month,
    e.plan,
    e.clock,
    e.segment_no,
    e.is_last,
    e.severity,
    e.segment_start,
    e.segment_end,
    e.since_at,
    e.business_time,
    e.target_us // 1000000 AS target_seconds,
    e.elapsed_us // 1000000 AS elapsed_seconds,
    coalesce(e.breached, false) AS breached,
    CASE WHEN e.breached THEN greatest(x.exceeded_at, e.segment_start) END AS breached_at
FROM intermediate.ticket_segment_elapsed AS e
LEFT JOIN exceeded AS x ON x.ticket_id = e.ticket_id AND x.clock = e.clock AND x.segment_no = e.segment_no
ORDER BY e.ticket_id, e.clock, e.segment_no
