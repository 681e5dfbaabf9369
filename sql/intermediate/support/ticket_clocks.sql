-- The two clocks of each ticket of the run's month and how they stand at as-of (R7, R8, R11).
-- Grain: one row per ticket × clock (`response`, `resolution`), for tickets created at or before as-of.
-- response: starts at created_at; stops at the first agent_reply, or at the first resolved /
--   customer_confirmed if that comes first (auto_reply never stops it); never paused (R7).
-- resolution: stopped when the R8 state at as-of is `stopped`; it stopped at the event that began
--   the final run of stopped states. `clock_state` is running | paused (awaiting or resolved) | stopped.
-- `stop_seq` is the event position of the stop; severity changes after it no longer concern the clock.
-- `end_at` is where the clock's last segment ends: the stop, or as-of.
-- Inputs: intermediate.valid_tickets, intermediate.ticket_clock_events, intermediate.ticket_resolution_states.
WITH tickets AS (
    SELECT ticket_id, customer_id, plan, month, severity AS initial_severity, created_at
    FROM intermediate.valid_tickets
    WHERE month = $month AND created_at <= $as_of
),
response_stop AS (
    SELECT ticket_id, min(seq) AS stop_seq, arg_min(occurred_at, seq) AS stopped_at
    FROM intermediate.ticket_clock_events
    WHERE event IN ('agent_reply', 'resolved', 'customer_confirmed')
    GROUP BY ticket_id
),
resolution_final AS (
    SELECT
        ticket_id,
        arg_max(state_after, seq) AS final_state,
        coalesce(max(seq) FILTER (WHERE state_after <> 'stopped'), 0) AS last_unstopped_seq
    FROM intermediate.ticket_resolution_states
    GROUP BY ticket_id
),
-- A stopped clock stopped at the first event of its final run of `stopped` states (a second
-- confirmation of a stopped clock changes nothing).
resolution_stop AS (
    SELECT s.ticket_id, min(s.seq) AS stop_seq, arg_min(s.occurred_at, s.seq) AS stopped_at
    FROM intermediate.ticket_resolution_states AS s
    JOIN resolution_final AS f ON f.ticket_id = s.ticket_id AND f.final_state = 'stopped'
    WHERE s.seq > f.last_unstopped_seq
    GROUP BY s.ticket_id
),
clocks AS (
    SELECT
        t.*,
        'response' AS clock,
        r.stop_seq,
        r.stopped_at,
        CASE WHEN r.stop_seq IS NULL THEN 'running' ELSE 'stopped' END AS clock_state
    FROM tickets AS t
    LEFT JOIN response_stop AS r ON r.ticket_id = t.ticket_id
    UNION ALL
    SELECT
        t.*,
        'resolution' AS clock,
        s.stop_seq,
        s.stopped_at,
        CASE coalesce(f.final_state, 'running')
            WHEN 'running' THEN 'running'
            WHEN 'stopped' THEN 'stopped'
            ELSE 'paused'
        END AS clock_state
    FROM tickets AS t
    LEFT JOIN resolution_final AS f ON f.ticket_id = t.ticket_id
    LEFT JOIN resolution_stop AS s ON s.ticket_id = t.ticket_id
)
SELECT
    ticket_id,
    customer_id,
    plan,
    month,
    clock,
    initial_severity,
    created_at AS started_at,
    stopped_at,
    stop_seq,
    clock_state,
    coalesce(stopped_at, $as_of::TIMESTAMPTZ) AS end_at
FROM clocks
