-- Length of each span in business time of its schedule, or in real time when it has none (R6).
-- Grain: one row per span of intermediate.ticket_segment_spans (span_id, schedule, start_at, end_at).
-- Business time in [a, b) = B(b) − B(a), where B(t) is the schedule's business time from the
-- calendar's origin to t, read from intermediate.business_hour_grid with an equality join on t's
-- UTC hour: B at the hour's start + one minute per open minute of the hour before t's minute (the
-- bits of `open_mask` below it) + the elapsed part of t's own minute if that minute is open.
-- A span reaching outside the calendar written for the run is an error, never a short figure.
-- Inputs: intermediate.ticket_segment_spans, intermediate.business_hour_grid.
WITH instants AS (
    SELECT
        span_id,
        schedule,
        start_at,
        end_at,
        epoch_us(start_at) AS start_us,
        epoch_us(end_at) AS end_us
    FROM intermediate.ticket_segment_spans
)
SELECT
    s.span_id,
    CASE
        WHEN s.schedule IS NULL THEN s.end_us - s.start_us
        WHEN b.hour IS NULL OR e.hour IS NULL
            THEN error('business time of span ' || s.span_id || ' [' || s.start_at || ', ' || s.end_at
                       || ') is outside the business calendar of schedule ' || s.schedule)
        ELSE (
            e.cum_us
            + bit_count(e.open_mask & ((1::BIGINT << (s.end_us // 60000000 % 60)) - 1))::BIGINT * 60000000
            + CASE WHEN (e.open_mask >> (s.end_us // 60000000 % 60)) & 1 = 1 THEN s.end_us % 60000000 ELSE 0 END
        ) - (
            b.cum_us
            + bit_count(b.open_mask & ((1::BIGINT << (s.start_us // 60000000 % 60)) - 1))::BIGINT * 60000000
            + CASE WHEN (b.open_mask >> (s.start_us // 60000000 % 60)) & 1 = 1 THEN s.start_us % 60000000 ELSE 0 END
        )
    END AS length_us
FROM instants AS s
LEFT JOIN intermediate.business_hour_grid AS b ON b.schedule = s.schedule AND b.hour = s.start_us // 3600000000
LEFT JOIN intermediate.business_hour_grid AS e ON e.schedule = s.schedule AND e.hour = s.end_us // 3600000000
