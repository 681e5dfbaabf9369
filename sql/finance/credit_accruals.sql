-- Month-end accruals: per service month and currency, the credits owed but not yet issued (the current
-- statement is a draft or approved) and the credits issued (the live credit note of each customer-month:
-- its latest issued version). `issued_to_void` is the part of `issued_credit` that a pending restatement
-- will void when it is issued; the close books owed_not_issued - issued_to_void as the change to come.
-- Grain: one row per month × currency. Inputs: main.statement_status.
WITH live_issued AS (
    SELECT month, customer_id, arg_max(currency, version) AS currency, arg_max(credit_amount, version) AS credit_amount
    FROM main.statement_status
    WHERE status = 'issued'
    GROUP BY ALL
),
pending AS (
    SELECT month, customer_id, currency, status, coalesce(credit_amount, 0) AS credit_amount
    FROM main.statement_status
    WHERE is_current AND status IN ('draft', 'approved')
),
amounts AS (
    SELECT month, currency, status AS kind, credit_amount, customer_id FROM pending
    UNION ALL
    SELECT month, currency, 'issued', credit_amount, customer_id FROM live_issued
    UNION ALL
    SELECT l.month, l.currency, 'to_void', l.credit_amount, l.customer_id
    FROM live_issued AS l JOIN pending AS p USING (month, customer_id)
)
SELECT
    month,
    currency,
    coalesce(sum(credit_amount) FILTER (kind = 'draft'), 0) AS draft_credit,
    coalesce(sum(credit_amount) FILTER (kind = 'approved'), 0) AS approved_credit,
    coalesce(sum(credit_amount) FILTER (kind IN ('draft', 'approved')), 0) AS owed_not_issued,
    coalesce(sum(credit_amount) FILTER (kind = 'issued'), 0) AS issued_credit,
    coalesce(sum(credit_amount) FILTER (kind = 'to_void'), 0) AS issued_to_void,
    count(*) FILTER (kind IN ('draft', 'approved') AND credit_amount > 0) AS statements_owed,
    count(*) FILTER (kind = 'issued' AND credit_amount > 0) AS statements_issued
FROM amounts
GROUP BY month, currency
