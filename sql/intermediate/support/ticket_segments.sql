-- Severity segments of each clock and the target each is checked against (R9, R5).
-- Grain: one row per ticket × clock × segment. A segment starts at creation (the ticket's severity)
-- or at a severity_changed event to a different severity, and ends at the next such change, or at
-- the clock's stop, or at as-of. Changes ordered after the stop event do not concern that clock.
-- `since_at`: the moment since which the ticket has been continuously at the segment's severity or a
-- more severe one (S1 most severe) — the end of the last less severe segment before it, else
-- creation. Elapsed time for the segment is counted from there (a raised severity starts its stricter
-- target when raised; a downgrade measures from the last time the ticket was below it).
-- Inputs: intermediate.ticket_clocks, intermediate.ticket_clock_events, intermediate.ticket_targets.
WITH changes AS (
    SELECT ticket_id, clock, 0 AS seq, started_at AS changed_at, initial_severity AS severity
    FROM intermediate.ticket_clocks
    UNION ALL
    SELECT c.ticket_id, c.clock, e.seq, e.occurred_at, e.severity
    FROM intermediate.ticket_clocks AS c
    JOIN intermediate.ticket_clock_events AS e ON e.ticket_id = c.ticket_id
    WHERE e.event = 'severity_changed' AND (c.stop_seq IS NULL OR e.seq < c.stop_seq)
),
effective AS (
    SELECT *
    FROM changes
    QUALIFY severity IS DISTINCT FROM lag(severity) OVER (PARTITION BY ticket_id, clock ORDER BY seq)
),
segments AS (
    SELECT
        e.ticket_id,
        e.clock,
        row_number() OVER w AS segment_no,
        e.severity,
        e.changed_at AS segment_start,
        coalesce(lead(e.changed_at) OVER w, c.end_at) AS segment_end,
        lead(e.changed_at) OVER w IS NULL AS is_last
    FROM effective AS e
    JOIN intermediate.ticket_clocks AS c ON c.ticket_id = e.ticket_id AND c.clock = e.clock
    WINDOW w AS (PARTITION BY e.ticket_id, e.clock ORDER BY e.seq)
),
last_less_severe AS (
    SELECT a.ticket_id, a.clock, a.segment_no, max(b.segment_end) AS since_at
    FROM segments AS a
    JOIN segments AS b
      ON b.ticket_id = a.ticket_id AND b.clock = a.clock
     AND b.segment_no < a.segment_no AND b.severity > a.severity
    GROUP BY ALL
)
SELECT
    s.ticket_id,
    s.clock,
    s.segment_no,
    s.is_last,
    s.severity,
    s.segment_start,
    s.segment_end,
    coalesce(l.since_at, c.started_at) AS since_at,
    c.customer_id,
    c.plan,
    c.month,
    c.started_at,
    c.stopped_at,
    c.clock_state,
    t.target_us,
    coalesce(t.business_time, false) AS business_time,
    t.schedule,
    t.policy_version
FROM segments AS s
JOIN intermediate.ticket_clocks AS c ON c.ticket_id = s.ticket_id AND c.clock = s.clock
LEFT JOIN last_less_severe AS l
  ON l.ticket_id = s.ticket_id AND l.clock = s.clock AND l.segment_no = s.segment_no
LEFT JOIN intermediate.ticket_targets AS t
  ON t.plan = c.plan AND t.severity = s.severity AND t.clock = s.clock
