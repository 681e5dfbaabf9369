-- Length of each span in business time of its schedule, or in real time when it has none (R6).
-- Grain: one row per span of intermediate.ticket_segment_spans (span_id, schedule, start_at, end_at).
-- Business time in [a, b) = B(b) − B(a), where B(t) is the business time of the schedule from the
-- calendar's origin to t: one ASOF join finds the last opening interval starting at or before t, and
-- B(t) = its cumulative start + the open part of it before t. A span reaching outside the calendar
-- that was written for the run is an error, never a silently short figure.
-- Inputs: intermediate.ticket_segment_spans, intermediate.business_intervals,
-- intermediate.business_calendar_range.
SELECT
    s.span_id,
    CASE
        WHEN s.schedule IS NULL THEN epoch_us(s.end_at) - epoch_us(s.start_at)
        ELSE coalesce(e.cum_open_us + least(epoch_us(s.end_at) - e.open_us, e.close_us - e.open_us), 0)
           - coalesce(b.cum_open_us + least(epoch_us(s.start_at) - b.open_us, b.close_us - b.open_us), 0)
    END AS length_us
FROM intermediate.ticket_segment_spans AS s
ASOF LEFT JOIN intermediate.business_intervals AS b ON b.schedule = s.schedule AND s.start_at >= b.open_at
ASOF LEFT JOIN intermediate.business_intervals AS e ON e.schedule = s.schedule AND s.end_at >= e.open_at
LEFT JOIN intermediate.business_calendar_range AS r ON r.schedule = s.schedule
WHERE CASE
    WHEN s.schedule IS NOT NULL AND (r.schedule IS NULL OR s.start_at < r.covers_from OR s.end_at > r.covers_until)
        THEN error('business time of span ' || s.span_id || ' [' || s.start_at || ', ' || s.end_at
                   || ') is outside the business calendar of schedule ' || s.schedule)
    ELSE true
END
