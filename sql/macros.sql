-- Parsing helpers shared by the staging models, installed as TEMP macros on every build connection.
-- Inputs are always text (the data contract forbids trusting a type guesser); each *_problem macro
-- returns NULL when the value is fine and otherwise a sentence a person understands.

CREATE OR REPLACE TEMP MACRO sla_text(value) AS nullif(trim(value), '');

CREATE OR REPLACE TEMP MACRO sla_quoted(value) AS '''' || coalesce(value, '') || '''';

-- ISO 8601 / RFC 3339 with an explicit offset: date, T (t or a space), hh:mm[:ss[.fraction]], then Z (z)
-- or ±hh:mm (±hhmm and ±hh tolerated: Parquet timestamps print as +00). Naive timestamps are ambiguous.
-- Stricter than DuckDB's cast, which reads 24:00:00 as the next day and +25:00 or +02:60 as offsets:
-- hours 00-23, offsets up to ±23:59. A fraction of up to 9 digits is kept to the microsecond
-- (truncated, never rounded into the next second). -00:00 (RFC 3339: UTC known, local offset unknown)
-- is that UTC instant. The one shape check, shared by every timestamp column and the probe files.
CREATE OR REPLACE TEMP MACRO sla_timestamp_shape(text) AS regexp_full_match(text,
    '\d{4}-\d{2}-\d{2}[Tt ]([01]\d|2[0-3]):[0-5]\d(:([0-5]\d|60)(\.\d{1,9})?)?([Zz]|[+-]([01]\d|2[0-3])(:?[0-5]\d)?)');

-- A leap second: second 60 is read only at 23:59:60 UTC on the last day of a month (where ITU-R TF.460
-- lets one be inserted), as the last microsecond of that minute (23:59:59.999999), so the row stays in
-- its minute, day and month. `text` has passed sla_timestamp_shape; NULL anywhere else.
CREATE OR REPLACE TEMP MACRO sla_leap_second_base(text) AS
    try_cast(regexp_replace(upper(text), ':60(\.\d{1,9})?', ':59') AS TIMESTAMPTZ);

CREATE OR REPLACE TEMP MACRO sla_leap_second(text) AS
    CASE WHEN regexp_matches(text, '\d:\d{2}:60')
              AND epoch_us(sla_leap_second_base(text)) % 86400000000 = 86399000000
              AND day(sla_leap_second_base(text) + INTERVAL 1 SECOND) = 1
         THEN sla_leap_second_base(text) + INTERVAL 999999 MICROSECONDS END;

CREATE OR REPLACE TEMP MACRO sla_timestamp(value) AS
    CASE WHEN NOT sla_timestamp_shape(trim(value)) THEN NULL
         WHEN try_cast(upper(trim(value)) AS TIMESTAMPTZ) IS NOT NULL THEN try_cast(upper(trim(value)) AS TIMESTAMPTZ)
         ELSE sla_leap_second(trim(value)) END;

CREATE OR REPLACE TEMP MACRO sla_timestamp_problem(column_name, value, run_started_at) AS
    CASE
        WHEN sla_text(value) IS NULL THEN column_name || ' is empty'
        WHEN regexp_full_match(trim(value), '\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?')
            THEN column_name || ' ' || sla_quoted(value) || ' has no UTC offset, so the instant is ambiguous (write Z or ±hh:mm)'
        WHEN sla_timestamp(value) IS NULL AND sla_timestamp_shape(trim(value)) AND regexp_matches(trim(value), '\d:\d{2}:60')
            THEN column_name || ' ' || sla_quoted(value)
                 || ' has second 60: a leap second exists only at 23:59:60 UTC on the last day of a month'
        WHEN regexp_full_match(trim(value), '\d{4}-\d{2}-\d{2}[Tt ]24:.*')
            THEN column_name || ' ' || sla_quoted(value) || ' has hour 24 (write 00:00 of the next day)'
        WHEN regexp_full_match(trim(value), '.*[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?[+-](2[4-9]|[3-9]\d|\d{2}:?[6-9]\d)(:?\d{2})?')
            THEN column_name || ' ' || sla_quoted(value) || ' has an offset out of range (at most ±23:59)'
        WHEN sla_timestamp(value) IS NULL
            THEN column_name || ' ' || sla_quoted(value) || ' is not an ISO 8601 timestamp with offset'
        WHEN sla_timestamp(value) > run_started_at
            THEN column_name || ' ' || sla_quoted(value) || ' is in the future (the run started at '
                 || strftime(run_started_at, '%Y-%m-%dT%H:%M:%SZ') || ')'
    END;

-- A timestamp in a reason: as written, followed by its UTC instant when written with another offset
-- ("04:00:00+02:00 = 02:00:00Z"), so a reason that compares instants reads true.
CREATE OR REPLACE TEMP MACRO sla_utc_text(ts) AS
    strftime(ts, '%Y-%m-%dT%H:%M:%S') || CASE WHEN epoch_us(ts) % 1000000 <> 0 THEN strftime(ts, '.%f') ELSE '' END || 'Z';

CREATE OR REPLACE TEMP MACRO sla_instant_as_written(value) AS
    trim(value) || CASE WHEN NOT regexp_matches(trim(value), '[Zz]$') THEN ' = ' || sla_utc_text(sla_timestamp(value)) ELSE '' END;

CREATE OR REPLACE TEMP MACRO sla_date(value) AS
    CASE WHEN regexp_full_match(trim(value), '\d{4}-\d{2}-\d{2}') THEN try_cast(trim(value) AS DATE) END;

CREATE OR REPLACE TEMP MACRO sla_date_problem(column_name, value) AS
    CASE
        WHEN sla_text(value) IS NULL THEN column_name || ' is empty'
        WHEN sla_date(value) IS NULL THEN column_name || ' ' || sla_quoted(value) || ' is not a date (YYYY-MM-DD)'
    END;

CREATE OR REPLACE TEMP MACRO sla_enum_problem(column_name, value, allowed) AS
    CASE
        WHEN sla_text(value) IS NULL THEN column_name || ' is empty'
        WHEN NOT list_contains(allowed, trim(value))
            THEN column_name || ' ' || sla_quoted(value) || ' is not one of ' || array_to_string(allowed, ', ')
    END;

CREATE OR REPLACE TEMP MACRO sla_required_problem(column_name, value) AS
    CASE WHEN sla_text(value) IS NULL THEN column_name || ' is empty' END;

-- Ids become file names and join keys: the customer-id pattern of the data contract.
CREATE OR REPLACE TEMP MACRO sla_customer_id_problem(column_name, value) AS
    CASE
        WHEN sla_text(value) IS NULL THEN column_name || ' is empty'
        WHEN NOT regexp_full_match(trim(value), '[A-Za-z0-9][A-Za-z0-9_-]{0,63}')
            THEN column_name || ' ' || sla_quoted(value) || ' is not a valid customer id (letters, digits, _ and -, at most 64)'
    END;

-- A row that points at another entity (its customer, its ticket): NULL when the target is valid, the
-- rejection it inherits when the target was rejected, else "unknown …".
CREATE OR REPLACE TEMP MACRO sla_reference_problem(entity, id_value, target_is_valid, target_rejection) AS
    CASE
        WHEN target_is_valid THEN NULL
        WHEN target_rejection IS NOT NULL THEN target_rejection
        ELSE 'unknown ' || entity || ' ' || sla_quoted(id_value)
    END;

-- The same for an optional customer reference (maintenance windows and incidents may be for everyone):
-- checked only when the row names a customer.
CREATE OR REPLACE TEMP MACRO sla_optional_reference_problem(entity, id_value, target_is_valid, target_rejection) AS
    CASE WHEN id_value IS NOT NULL
        THEN sla_reference_problem(entity, id_value, target_is_valid, target_rejection) END;

-- R16.1: a maintenance window excuses minutes only when it was announced MORE than `notice_hours`
-- (the contract's 48; the policy's uptime.maintenance_notice_hours) before its start (exactly the
-- notice does not qualify). The one place the notice rule is written; models pass
-- $maintenance_notice_hours.
CREATE OR REPLACE TEMP MACRO sla_maintenance_notice_qualifies(announced_at, starts_at, notice_hours) AS
    announced_at < starts_at - to_hours(CAST(notice_hours AS BIGINT));

-- Every record of a CSV input with its verdict so far: the staging columns (without the parse-time
-- helpers), whether it is a collapsed exact duplicate, and its own problem or its conflicting-duplicate
-- reason. The `checked_<source>` models add the rules that look at other files (its customer, its
-- ticket). `staged` and `duplicates` name the tables, so each model still lists what it reads.
CREATE OR REPLACE TEMP MACRO sla_row_verdicts(source_name, staged, duplicates) AS TABLE
    SELECT
        s.* EXCLUDE (reject_reason, entity_id, content_hash),
        coalesce(d.is_collapsed_duplicate, false) AS is_collapsed_duplicate,
        coalesce(s.reject_reason, d.conflict_reason) AS reject_reason
    FROM query_table(staged) AS s
    LEFT JOIN query_table(duplicates) AS d
        ON d.source = source_name AND d.source_file = s.source_file AND d.line_number = s.line_number;
