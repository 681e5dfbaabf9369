-- The running time that counts for each severity segment, as spans to be measured (R8, R9).
-- Grain: one row per segment × running interval overlapping [since_at, segment_end).
-- `schedule` is set for a business-hours target (the span is measured in business time of that
-- schedule) and NULL for calendar targets and segments without a target (real elapsed time).
-- Inputs: intermediate.ticket_segments, intermediate.ticket_running_intervals.
SELECT
    row_number() OVER (ORDER BY s.ticket_id, s.clock, s.segment_no, r.run_start) AS span_id,
    s.ticket_id,
    s.clock,
    s.segment_no,
    CASE WHEN s.business_time THEN s.schedule END AS schedule,
    greatest(r.run_start, s.since_at) AS start_at,
    least(r.run_end, s.segment_end) AS end_at
FROM intermediate.ticket_segments AS s
JOIN intermediate.ticket_running_intervals AS r
  ON r.ticket_id = s.ticket_id AND r.clock = s.clock
 AND r.run_end > s.since_at AND r.run_start < s.segment_end
