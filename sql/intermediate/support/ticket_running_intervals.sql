-- The stretches of time during which each clock runs: only running time counts (R7, R8).
-- Grain: one row per ticket × clock × maximal running interval [run_start, run_end).
-- response: one interval from created_at to its stop (or as-of); it never pauses (R7).
-- resolution: the state is `running` from created_at and after each R8 transition; consecutive
-- running states are merged; the last state lasts until as-of. Time spent awaiting the customer,
-- resolved-but-unconfirmed or stopped does not count; a reopen accumulates on top of earlier time.
-- Inputs: intermediate.ticket_clocks, intermediate.ticket_resolution_states.
WITH transitions AS (
    SELECT ticket_id, 0 AS seq, started_at AS changed_at, 'running' AS state
    FROM intermediate.ticket_clocks
    WHERE clock = 'resolution'
    UNION ALL
    SELECT s.ticket_id, s.seq, s.occurred_at, s.state_after
    FROM intermediate.ticket_resolution_states AS s
    JOIN intermediate.ticket_clocks AS c ON c.ticket_id = s.ticket_id AND c.clock = 'resolution'
),
changes AS (
    SELECT *
    FROM transitions
    QUALIFY state IS DISTINCT FROM lag(state) OVER (PARTITION BY ticket_id ORDER BY seq)
),
stretches AS (
    SELECT
        ticket_id,
        state,
        changed_at AS run_start,
        coalesce(lead(changed_at) OVER (PARTITION BY ticket_id ORDER BY seq), $as_of::TIMESTAMPTZ) AS run_end
    FROM changes
)
SELECT ticket_id, 'resolution' AS clock, run_start, run_end
FROM stretches
WHERE state = 'running' AND run_end > run_start
UNION ALL
SELECT ticket_id, 'response' AS clock, started_at AS run_start, end_at AS run_end
FROM intermediate.ticket_clocks
WHERE clock = 'response' AND end_at > started_at
