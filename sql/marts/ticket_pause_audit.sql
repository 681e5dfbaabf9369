-- Pause audit (issue 13): every pause of a resolution clock, with the three signs that a pause may
-- have been set to stop the clock rather than to wait for the customer. Internal: for support
-- managers and the WARN check suspicious_pauses, never printed on a customer's statement.
-- Grain: one row per pause — an `awaiting_customer` event that moved the resolution clock from
-- running to awaiting (R8) — of a ticket created in the month (R4) at or before as-of (R11).
-- The policy's `pause_audit` thresholds:
--   after_customer_reply: the customer's last reply came at most $customer_reply_within_minutes
--     minutes before the pause (the ball was in the agent's court);
--   near_deadline: at the pause the clock had more than 0 and at most $deadline_within_minutes
--     minutes of its target left, counted in the target's own time (business minutes for a
--     business-hours target); a clock already over its target is not "near" (the pause saves nothing);
--   many_cycles: the ticket was paused at least $pause_cycles times.
-- `remaining_seconds`: the target minus the running time of the segment in force at the pause.
-- Inputs: intermediate.ticket_resolution_states, intermediate.ticket_clock_events,
-- intermediate.ticket_segments, intermediate.ticket_segment_spans, intermediate.business_spans.
WITH states AS (
    SELECT
        s.ticket_id,
        s.seq,
        s.occurred_at,
        s.event,
        s.state_after,
        coalesce(lag(s.state_after) OVER (PARTITION BY s.ticket_id ORDER BY s.seq), 'running') AS state_before
    FROM intermediate.ticket_resolution_states AS s
),
pauses AS (
    SELECT ticket_id, seq, occurred_at AS paused_at
    FROM states
    WHERE event = 'awaiting_customer' AND state_before = 'running' AND state_after = 'awaiting'
),
with_reply AS (
    SELECT
        p.*,
        (
            SELECT max(e.occurred_at) FROM intermediate.ticket_clock_events AS e
            WHERE e.ticket_id = p.ticket_id AND e.event = 'customer_reply' AND e.seq < p.seq
        ) AS customer_replied_at,
        count(*) OVER (PARTITION BY p.ticket_id) AS pause_cycles
    FROM pauses AS p
),
segment_at_pause AS (
    SELECT
        p.ticket_id,
        p.seq,
        max(g.segment_no) AS segment_no
    FROM pauses AS p
    JOIN intermediate.ticket_segments AS g
        ON g.ticket_id = p.ticket_id AND g.clock = 'resolution'
       AND g.segment_start <= p.paused_at AND (p.paused_at < g.segment_end OR g.is_last)
    GROUP BY ALL
),
elapsed_at_pause AS (
    -- the segment's running time before the pause: its spans that ended by then (a pause ends a span)
    SELECT a.ticket_id, a.seq, coalesce(sum(b.length_us), 0)::BIGINT AS elapsed_us
    FROM segment_at_pause AS a
    JOIN pauses AS p ON p.ticket_id = a.ticket_id AND p.seq = a.seq
    LEFT JOIN intermediate.ticket_segment_spans AS sp
        ON sp.ticket_id = a.ticket_id AND sp.clock = 'resolution' AND sp.segment_no = a.segment_no
       AND sp.end_at <= p.paused_at
    LEFT JOIN intermediate.business_spans AS b ON b.span_id = sp.span_id
    GROUP BY ALL
),
judged AS (
    SELECT
        r.*,
        g.customer_id,
        g.plan,
        g.month,
        g.severity,
        g.business_time,
        g.target_us // 1000000 AS target_seconds,
        (g.target_us - e.elapsed_us) // 1000000 AS remaining_seconds,
        date_diff('second', r.customer_replied_at, r.paused_at) AS seconds_since_customer_reply
    FROM with_reply AS r
    JOIN segment_at_pause AS a ON a.ticket_id = r.ticket_id AND a.seq = r.seq
    JOIN elapsed_at_pause AS e ON e.ticket_id = r.ticket_id AND e.seq = r.seq
    JOIN intermediate.ticket_segments AS g
        ON g.ticket_id = r.ticket_id AND g.clock = 'resolution' AND g.segment_no = a.segment_no
),
flagged AS (
    SELECT
        *,
        coalesce(seconds_since_customer_reply <= $customer_reply_within_minutes * 60, false) AS after_customer_reply,
        coalesce(remaining_seconds > 0 AND remaining_seconds <= $deadline_within_minutes * 60, false)
            AS near_deadline,
        pause_cycles >= $pause_cycles AS many_cycles
    FROM judged
)
SELECT
    f.month,
    f.ticket_id,
    f.customer_id,
    f.plan,
    e.event_id,
    f.paused_at,
    f.severity,
    f.business_time,
    f.target_seconds,
    f.remaining_seconds,
    f.customer_replied_at,
    f.seconds_since_customer_reply,
    f.pause_cycles,
    f.after_customer_reply,
    f.near_deadline,
    f.many_cycles,
    f.after_customer_reply OR f.near_deadline OR f.many_cycles AS flagged,
    concat_ws('; ',
        CASE WHEN f.after_customer_reply THEN 'paused ' || (f.seconds_since_customer_reply // 60)
            || ' min after the customer replied' END,
        CASE WHEN f.near_deadline THEN 'paused with ' || (f.remaining_seconds // 60) || ' min'
            || CASE WHEN f.business_time THEN ' (business time)' ELSE '' END || ' left on the '
            || f.severity || ' resolution target' END,
        CASE WHEN f.many_cycles THEN 'ticket paused ' || f.pause_cycles || ' times' END
    ) AS reasons
FROM flagged AS f
JOIN intermediate.ticket_clock_events AS e ON e.ticket_id = f.ticket_id AND e.seq = f.seq
ORDER BY f.month, f.ticket_id, f.paused_at
