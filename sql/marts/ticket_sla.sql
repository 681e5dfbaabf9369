-- Support SLA per ticket and clock for the run's month: the analysts' view of R7–R10.
-- Grain: one row per ticket × clock (`response`, `resolution`) of a ticket created in the month (R4)
-- at or before as-of (R11).
-- A segment is breached when its elapsed time exceeds its severity's target (R9); `breached_at` is
-- the first instant a segment was over its target (never before that segment began). The reported
-- severity, target and elapsed time are the last segment's. Status, in this order (R10): breached if
-- any segment breached; no_target if the last segment's severity has no target; met if the clock has
-- stopped; else pending. `due_at`: when the last segment's running time reached — or, running at
-- as-of, will reach — its target; NULL when the clock stopped or is paused before reaching it.
-- Elapsed and target seconds are whole seconds (decisions use microseconds). `breached_segment_no`
-- names the segment that breached first (ticket_sla_segments has its severity, target and elapsed).
-- Inputs: intermediate.ticket_segment_elapsed, intermediate.ticket_deadline_requests,
-- intermediate.business_deadlines.
WITH lookups AS (
    SELECT
        r.ticket_id,
        r.clock,
        r.segment_no,
        max(d.due_at) FILTER (WHERE r.kind = 'due') AS reached_at,
        max(d.due_at) FILTER (WHERE r.kind = 'breach') AS exceeded_at
    FROM intermediate.ticket_deadline_requests AS r
    JOIN intermediate.business_deadlines AS d ON d.request_id = r.request_id
    GROUP BY ALL
),
segments AS (
    SELECT e.*, l.reached_at, l.exceeded_at
    FROM intermediate.ticket_segment_elapsed AS e
    LEFT JOIN lookups AS l ON l.ticket_id = e.ticket_id AND l.clock = e.clock AND l.segment_no = e.segment_no
),
per_clock AS (
    SELECT
        ticket_id,
        clock,
        coalesce(bool_or(breached), false) AS any_breached,
        min(greatest(exceeded_at, segment_start)) FILTER (WHERE breached) AS breached_at,
        -- the segment that breached first (ties: the earlier segment); its row in ticket_sla_segments
        arg_min(segment_no, (greatest(exceeded_at, segment_start), segment_no)) FILTER (WHERE breached) AS breached_segment_no,
        count(*) AS segments
    FROM segments
    GROUP BY ALL
)
SELECT
    s.ticket_id,
    s.customer_id,
    s.month,
    s.plan,
    s.clock,
    s.severity,
    s.business_time,
    s.target_us // 1000000 AS target_seconds,
    s.elapsed_us // 1000000 AS elapsed_seconds,
    s.started_at,
    s.stopped_at,
    s.reached_at AS due_at,
    c.breached_at,
    CASE
        WHEN c.any_breached THEN 'breached'
        WHEN s.target_us IS NULL THEN 'no_target'
        WHEN s.clock_state = 'stopped' THEN 'met'
        ELSE 'pending'
    END AS status,
    s.clock_state,
    s.schedule,
    c.segments,
    c.breached_segment_no,
    s.policy_version,
    $as_of::TIMESTAMPTZ AS as_of
FROM segments AS s
JOIN per_clock AS c ON c.ticket_id = s.ticket_id AND c.clock = s.clock
WHERE s.is_last
