-- Elapsed time of each severity segment (R9): its running time in [since_at, segment_end), in
-- business time of the target's schedule or in real time.
-- Grain: one row per ticket × clock × segment, with the segment's attributes from ticket_segments.
-- Inputs: intermediate.ticket_segments, intermediate.ticket_segment_spans, intermediate.business_spans.
WITH elapsed AS (
    SELECT sp.ticket_id, sp.clock, sp.segment_no, sum(l.length_us)::BIGINT AS elapsed_us
    FROM intermediate.ticket_segment_spans AS sp
    JOIN intermediate.business_spans AS l ON l.span_id = sp.span_id
    GROUP BY ALL
)
SELECT
    s.*,
    coalesce(e.elapsed_us, 0) AS elapsed_us,
    coalesce(e.elapsed_us, 0) > s.target_us AS breached
FROM intermediate.ticket_segments AS s
LEFT JOIN elapsed AS e ON e.ticket_id = s.ticket_id AND e.clock = s.clock AND e.segment_no = s.segment_no
