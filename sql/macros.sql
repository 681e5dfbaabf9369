-- Parsing helpers shared by the staging models, installed as TEMP macros on every build connection.
-- Inputs are always text (the data contract forbids trusting a type guesser); each *_problem macro
-- returns NULL when the value is fine and otherwise a sentence a person understands.

CREATE OR REPLACE TEMP MACRO sla_text(value) AS nullif(trim(value), '');

CREATE OR REPLACE TEMP MACRO sla_quoted(value) AS '''' || coalesce(value, '') || '''';

-- ISO 8601 with an explicit offset: Z or ±hh:mm (±hhmm tolerated). Naive timestamps are ambiguous.
CREATE OR REPLACE TEMP MACRO sla_timestamp(value) AS
    CASE WHEN regexp_full_match(trim(value), '\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})')
         THEN try_cast(trim(value) AS TIMESTAMPTZ) END;

CREATE OR REPLACE TEMP MACRO sla_timestamp_problem(column_name, value, run_started_at) AS
    CASE
        WHEN sla_text(value) IS NULL THEN column_name || ' is empty'
        WHEN regexp_full_match(trim(value), '\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?')
            THEN column_name || ' ' || sla_quoted(value) || ' has no UTC offset, so the instant is ambiguous (write Z or ±hh:mm)'
        WHEN sla_timestamp(value) IS NULL
            THEN column_name || ' ' || sla_quoted(value) || ' is not an ISO 8601 timestamp with offset'
        WHEN sla_timestamp(value) > run_started_at
            THEN column_name || ' ' || sla_quoted(value) || ' is in the future (the run started at '
                 || strftime(run_started_at, '%Y-%m-%dT%H:%M:%SZ') || ')'
    END;

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
