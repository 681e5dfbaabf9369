-- Where each segment's deadline and breach instant must be looked up (R9, R10), as requests for
-- intermediate.business_deadlines.
-- Grain: one row per ticket × clock × segment × kind, only where there is something to find:
-- `due`    — the earliest instant d with running time [since_at, d) = target: inside the segment, it
--            lies in the span where the running total reaches the target, `remaining_us` after that
--            span's start; for the last segment of a clock running at as-of that has not reached it
--            yet, `target − elapsed` after as-of. Stopped or paused before reaching it: no row.
-- `breach` — for a breached segment, the first instant its running time exceeded the target
--            (`exceed` = true: past a deadline that falls at closing time or at a pause, the breach
--            begins when the clock next runs during opening hours).
-- Inputs: intermediate.ticket_segment_elapsed, intermediate.ticket_segment_spans, intermediate.business_spans.
WITH pieces AS (
    SELECT
        sp.ticket_id,
        sp.clock,
        sp.segment_no,
        sp.start_at,
        l.length_us,
        coalesce(
            sum(l.length_us) OVER (
                PARTITION BY sp.ticket_id, sp.clock, sp.segment_no ORDER BY sp.start_at
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
            ),
            0
        )::BIGINT AS before_us
    FROM intermediate.ticket_segment_spans AS sp
    JOIN intermediate.business_spans AS l ON l.span_id = sp.span_id
),
requests AS (
    SELECT p.ticket_id, p.clock, p.segment_no, 'due' AS kind, p.start_at AS from_at,
           s.target_us - p.before_us AS remaining_us, false AS exceed
    FROM pieces AS p
    JOIN intermediate.ticket_segment_elapsed AS s
      ON s.ticket_id = p.ticket_id AND s.clock = p.clock AND s.segment_no = p.segment_no
    WHERE p.before_us < s.target_us AND s.target_us <= p.before_us + p.length_us
    UNION ALL
    SELECT ticket_id, clock, segment_no, 'due', $as_of::TIMESTAMPTZ, target_us - elapsed_us, false
    FROM intermediate.ticket_segment_elapsed
    WHERE is_last AND clock_state = 'running' AND elapsed_us < target_us
    UNION ALL
    SELECT p.ticket_id, p.clock, p.segment_no, 'breach', p.start_at,
           s.target_us - p.before_us, true
    FROM pieces AS p
    JOIN intermediate.ticket_segment_elapsed AS s
      ON s.ticket_id = p.ticket_id AND s.clock = p.clock AND s.segment_no = p.segment_no
    WHERE s.breached AND p.before_us <= s.target_us AND s.target_us < p.before_us + p.length_us
)
SELECT
    row_number() OVER (ORDER BY r.ticket_id, r.clock, r.segment_no, r.kind) AS request_id,
    r.*,
    CASE WHEN s.business_time THEN s.schedule END AS deadline_schedule
FROM requests AS r
JOIN intermediate.ticket_segment_elapsed AS s
  ON s.ticket_id = r.ticket_id AND s.clock = r.clock AND s.segment_no = r.segment_no
