-- Deadlines in business (or real) time (R6): for each request, the earliest instant d with running
-- time [from_at, d) = remaining_us — or, when `exceed`, the first instant after which it is more
-- (past a deadline at closing time that is the next opening).
-- Grain: one row per request of intermediate.ticket_deadline_requests (request_id, deadline_schedule,
-- from_at, remaining_us, exceed).
-- With a schedule: the business time B the deadline must reach is B(from_at) + remaining (B(from_at)
-- from intermediate.business_hour_grid, read as in business_spans); the opening interval holding it is the
-- first whose cumulative close is ≥ B (> B when exceeding) — one ASOF join — and d lies inside it, so
-- a clock starting outside opening hours effectively starts at the next opening. Without a schedule:
-- from_at + remaining. A deadline beyond the calendar written for the run is an error, never a NULL.
-- Inputs: intermediate.ticket_deadline_requests, intermediate.business_hour_grid,
-- intermediate.business_intervals, intermediate.business_calendar_range.
WITH requests AS (
    SELECT request_id, deadline_schedule AS schedule, from_at, remaining_us, exceed
    FROM intermediate.ticket_deadline_requests
),
business_requests AS (
    SELECT
        q.*,
        b.cum_us
            + bit_count(b.open_mask & ((1::BIGINT << (q.from_us // 60000000 % 60)) - 1))::BIGINT * 60000000
            + CASE WHEN (b.open_mask >> (q.from_us // 60000000 % 60)) & 1 = 1 THEN q.from_us % 60000000 ELSE 0 END
            + q.remaining_us AS due_cum_us
    FROM (SELECT *, epoch_us(from_at) AS from_us FROM requests WHERE schedule IS NOT NULL) AS q
    LEFT JOIN intermediate.business_hour_grid AS b ON b.schedule = q.schedule AND b.hour = q.from_us // 3600000000
),
business_due AS (
    SELECT q.request_id, q.schedule, q.from_at, d.open_at + to_microseconds(q.due_cum_us - d.cum_open_us) AS due_at
    FROM business_requests AS q
    ASOF LEFT JOIN intermediate.business_intervals AS d ON d.schedule = q.schedule AND q.due_cum_us <= d.cum_close_us
    WHERE NOT q.exceed
    UNION ALL
    SELECT q.request_id, q.schedule, q.from_at, d.open_at + to_microseconds(q.due_cum_us - d.cum_open_us) AS due_at
    FROM business_requests AS q
    ASOF LEFT JOIN intermediate.business_intervals AS d ON d.schedule = q.schedule AND q.due_cum_us < d.cum_close_us
    WHERE q.exceed
)
SELECT q.request_id, q.due_at
FROM business_due AS q
LEFT JOIN intermediate.business_calendar_range AS r ON r.schedule = q.schedule
WHERE CASE
    WHEN q.due_at IS NULL OR r.schedule IS NULL OR q.from_at < r.covers_from OR q.due_at > r.covers_until
        THEN error('deadline of request ' || q.request_id || ' from ' || q.from_at
                   || ' lies outside the business calendar of schedule ' || q.schedule)
    ELSE true
END
UNION ALL
SELECT request_id, from_at + to_microseconds(remaining_us) AS due_at
FROM requests
WHERE schedule IS NULL
