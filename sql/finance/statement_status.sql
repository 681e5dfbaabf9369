-- Where each statement version stands: draft, approved or issued, with who made that transition and when.
-- Grain: one row per statement version (customer × month × version). Inputs: main.statements,
-- main.statement_ledger. A ledger event counts for a version only if it names that version's exact PDF
-- (its sha256), so a restatement starts as a new draft. `customer` repeats `customer_id`; "by" and "at"
-- are SQL keywords: quote them ("by", "at").
WITH firsts AS (
    SELECT month, customer_id, version, sha256, event, arg_min("by", "at") AS "by", min("at") AS "at"
    FROM main.statement_ledger
    WHERE event IN ('approved', 'issued')
    GROUP BY ALL
)
SELECT
    s.customer_id AS customer,
    s.month,
    s.version,
    CASE WHEN issued."at" IS NOT NULL THEN 'issued' WHEN approved."at" IS NOT NULL THEN 'approved' ELSE 'draft' END
        AS status,
    coalesce(issued."by", approved."by") AS "by",
    coalesce(issued."at", approved."at") AS "at",
    s.customer_id,
    s.is_current,
    s.statement_id,
    s.credit_amount,
    s.currency,
    approved."by" AS approved_by,
    approved."at" AS approved_at,
    issued."at" AS issued_at
FROM main.statements AS s
LEFT JOIN firsts AS approved
    ON approved.event = 'approved' AND approved.month = s.month AND approved.customer_id = s.customer_id
    AND approved.version = s.version AND approved.sha256 = s.sha256
LEFT JOIN firsts AS issued
    ON issued.event = 'issued' AND issued.month = s.month AND issued.customer_id = s.customer_id
    AND issued.version = s.version AND issued.sha256 = s.sha256
