-- The finance ledger (SLA_LEDGER) as rows: every approval, issue, send attempt and portal download.
-- Grain: one row per ledger event, in file order. Read live from the JSON Lines file outside the
-- warehouse, so what finance did after this warehouse was published shows too. A line cut short by a
-- crash is skipped. The file's absolute path is filled in when the view is created (views cannot bind).
SELECT
    event,
    month,
    customer_id,
    version,
    statement_id,
    sha256,
    "by",
    CAST("at" AS TIMESTAMPTZ) AS "at",
    delivery,
    recipient,
    detail
FROM read_json(
    '$ledger_path',
    format = 'newline_delimited',
    ignore_errors = true,
    columns = {
        'event': 'VARCHAR', 'month': 'VARCHAR', 'customer_id': 'VARCHAR', 'version': 'INTEGER',
        'statement_id': 'VARCHAR', 'sha256': 'VARCHAR', 'by': 'VARCHAR', 'at': 'VARCHAR',
        'delivery': 'VARCHAR', 'recipient': 'VARCHAR', 'detail': 'VARCHAR'
    }
)
WHERE event IN ('approved', 'issued', 'sent', 'send_failed', 'download') AND "at" IS NOT NULL
