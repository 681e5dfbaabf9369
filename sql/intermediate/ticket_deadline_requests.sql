-- Elapsed time of each severity segment, and from where its deadline must be looked up (R9, R10).
-- Grain: one row per ticket × clock × segment (all segments, with or without a deadline to find).
-- `elapsed_us`: the segment's running time in [since_at, segment_end), in business or real time.
-- The deadline (when the running time reaches the target) is the earliest instant d with running
-- time [since_at, d) = target: if it is reached inside the segment, it lies in the span where the
-- running total crosses the target, `remaining_us` after that span's start. If not, and this is the
-- last segment of a clock running at as-of, it will be reached `target − elapsed` after as-of.
-- Otherwise (stopped or paused before reaching it) there is no deadline: `from_at` is NULL.
-- Inputs: intermediate.ticket_segments, intermediate.ticket_segment_spans, intermediate.business_spans.
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
elapsed AS (
    SELECT ticket_id, clock, segment_no, sum(length_us)::BIGINT AS elapsed_us
    FROM pieces
    GROUP BY ALL
),
reached AS (
    SELECT p.ticket_id, p.clock, p.segment_no, p.start_at AS from_at, s.target_us - p.before_us AS remaining_us
    FROM pieces AS p
    JOIN intermediate.ticket_segments AS s
      ON s.ticket_id = p.ticket_id AND s.clock = p.clock AND s.segment_no = p.segment_no
    WHERE p.before_us < s.target_us AND s.target_us <= p.before_us + p.length_us
),
measured AS (
    SELECT s.*, coalesce(e.elapsed_us, 0) AS elapsed_us
    FROM intermediate.ticket_segments AS s
    LEFT JOIN elapsed AS e ON e.ticket_id = s.ticket_id AND e.clock = s.clock AND e.segment_no = s.segment_no
)
SELECT
    row_number() OVER (ORDER BY m.ticket_id, m.clock, m.segment_no) AS request_id,
    m.*,
    CASE WHEN m.business_time THEN m.schedule END AS deadline_schedule,
    CASE
        WHEN r.from_at IS NOT NULL THEN r.from_at
        WHEN m.is_last AND m.clock_state = 'running' AND m.target_us IS NOT NULL THEN $as_of::TIMESTAMPTZ
    END AS from_at,
    CASE
        WHEN r.from_at IS NOT NULL THEN r.remaining_us
        WHEN m.is_last AND m.clock_state = 'running' AND m.target_us IS NOT NULL THEN m.target_us - m.elapsed_us
    END AS remaining_us
FROM measured AS m
LEFT JOIN reached AS r ON r.ticket_id = m.ticket_id AND r.clock = m.clock AND r.segment_no = m.segment_no
