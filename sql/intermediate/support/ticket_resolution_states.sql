-- The resolution clock's state after each event that the R8 state machine reads.
-- Grain: one row per awaiting_customer / customer_reply / resolved / reopened / customer_confirmed event.
-- The table of R8 is evaluated set-wise: `reopened` (→ running) and `customer_confirmed` (→ stopped)
-- reset the state from any state (a confirmation of a stopped clock keeps it stopped), so they open
-- "blocks". In a block opened by a confirmation nothing but the next reopen changes the state. In a
-- block opened by creation or a reopen the clock is `resolved` from the block's first `resolved` on
-- (a later customer_reply — a "thanks" — or awaiting_customer does nothing); before that it is
-- `awaiting` after an awaiting_customer and `running` after a customer_reply.
-- Inputs: intermediate.ticket_clock_events.
WITH machine_events AS (
    SELECT ticket_id, seq, occurred_at, event
    FROM intermediate.ticket_clock_events
    WHERE event IN ('awaiting_customer', 'customer_reply', 'resolved', 'reopened', 'customer_confirmed')
),
blocks AS (
    SELECT
        *,
        sum(CASE WHEN event IN ('reopened', 'customer_confirmed') THEN 1 ELSE 0 END)
            OVER (PARTITION BY ticket_id ORDER BY seq ROWS UNBOUNDED PRECEDING) AS block_no
    FROM machine_events
),
block_facts AS (
    SELECT
        *,
        first_value(event) OVER (PARTITION BY ticket_id, block_no ORDER BY seq) AS block_opened_by,
        bool_or(event = 'resolved')
            OVER (PARTITION BY ticket_id, block_no ORDER BY seq ROWS UNBOUNDED PRECEDING) AS resolved_in_block,
        last_value(CASE WHEN event IN ('awaiting_customer', 'customer_reply') THEN event END IGNORE NULLS)
            OVER (PARTITION BY ticket_id, block_no ORDER BY seq ROWS UNBOUNDED PRECEDING) AS last_wait_or_reply
    FROM blocks
)
SELECT
    ticket_id,
    seq,
    occurred_at,
    event,
    block_no,
    CASE
        WHEN block_no > 0 AND block_opened_by = 'customer_confirmed' THEN 'stopped'
        WHEN resolved_in_block THEN 'resolved'
        WHEN last_wait_or_reply = 'awaiting_customer' THEN 'awaiting'
        ELSE 'running'
    END AS state_after
FROM block_facts
