-- Probe results (R13) parsed from text: typed columns and `parse_problem` (NULL = the row parses).
-- Grain: one row per record of every probe file. Inputs: probe_raw_rows (TEMP view, pipeline/probes.py).
-- Installed by pipeline/probes.py as the TEMP view `probe_results`, not built as a table: a month is
-- ~45 M rows, read from the files on each pass instead of being copied. Checks that need the run
-- (in the future, unknown customer, which month) are applied by the intermediate probe_* models.
-- Speed matters here (it runs over every row): the common 'YYYY-MM-DDTHH:MM:SSZ' shape is recognised
-- with cheap tests, every other shape goes through the strict ISO 8601 parse every input shares.
SELECT
    file_path,
    line_number,
    raw,
    -- every column as written, for the raw text of a rejected Parquet row (rendered only when rejected)
    probed_at AS probed_at_as_written,
    "check" AS check_as_written,
    region AS region_as_written,
    customer_id AS customer_id_as_written,
    status_code AS status_code_as_written,
    error_code AS error_code_as_written,
    latency_ms AS latency_ms_as_written,
    nullif(customer_id, '') AS customer_id,
    -- on the column as read, so a pass can filter shared rows before anything is parsed
    customer_id IS NULL OR customer_id = '' AS shared_as_written,
    "check",
    nullif(region, '') AS region,
    status AS status_code,
    nullif(error_code, '') AS error_code,
    latency AS latency_ms,
    probed_ts AS probed_at,
    -- the minute [hh:mm:00, +60 s) in UTC by integer arithmetic: date_trunc on TIMESTAMPTZ goes through
    -- ICU calendars and costs several seconds per month of probes. `minute_number` (minutes since the
    -- epoch) is the cheap key the passes group and join on; `minute` is built only for fetched rows.
    epoch_us(probed_ts) // 60000000 AS minute_number,
    make_timestamptz(epoch_us(probed_ts) // 60000000 * 60000000) AS minute,
    -- R13: empty/0 (timeout, network) or outside 200-299 is a failure.
    NOT coalesce(status BETWEEN 200 AND 299, false) AS failed,
    CASE
        WHEN shape_problem IS NOT NULL THEN 'record ' || shape_problem
        -- the reasons every timestamp column gives (sql/macros.sql); in the future: probe_scan
        WHEN probed_ts IS NULL THEN sla_timestamp_problem('probed_at', probed_at, NULL)
        WHEN "check" IS NULL OR "check" NOT IN ('health_live', 'chat_completions')
            THEN 'unknown check ''' || coalesce("check", '') || ''' (expected health_live or chat_completions)'
        WHEN status IS NULL
            THEN 'status_code ''' || status_text || ''' is not an HTTP status (an integer; empty or 0 = timeout)'
        WHEN latency_text IS NOT NULL AND latency IS NULL
            THEN 'latency_ms ''' || latency_text || ''' is not a number of milliseconds'
    END AS parse_problem
FROM (
    SELECT
        *,
        -- fast path (a CASE, which DuckDB evaluates lazily; coalesce is not): a text of the length of
        -- 'YYYY-MM-DDTHH:MM:SS[.f…]' ending in Z or +00 (Parquet timestamps print as +00) is cast directly, unless it holds one of the shapes the cast
        -- misreads (hour 24 as the next day, a bare '.' before the offset, a year past 9999); those,
        -- every other shape and whatever the cast refuses (a leap second) go through the strict parse
        -- every input shares (sql/macros.sql: sla_timestamp)
        CASE
            WHEN ((ends_with(probed_at_text, 'Z') AND length(probed_at_text) IN (20, 22, 23, 24, 25, 26, 27, 28, 29, 30))
                  OR (ends_with(probed_at_text, '+00') AND length(probed_at_text) IN (22, 24, 25, 26, 27, 28, 29, 30, 31, 32)))
                 AND NOT contains(probed_at_text, 'T24:') AND NOT contains(probed_at_text, ' 24:')
                 AND NOT contains(probed_at_text, '.Z') AND NOT contains(probed_at_text, '.+')
                 AND try_cast(probed_at_text AS TIMESTAMPTZ) < TIMESTAMPTZ '10000-01-01 00:00:00+00'
                THEN try_cast(probed_at_text AS TIMESTAMPTZ)
            ELSE sla_timestamp(probed_at_text)
        END AS probed_ts,
        -- R13: empty (or 0) = timeout. DuckDB's integer cast is lenient ('200.5' → 201, ' 200', '2e2'),
        -- so a status must also print back exactly as written: 1-3 digits, nothing else.
        CASE
            WHEN status_text IS NULL THEN 0
            WHEN CAST(try_cast(status_text AS USMALLINT) AS VARCHAR) = status_text
                 AND try_cast(status_text AS USMALLINT) <= 999 THEN try_cast(status_text AS USMALLINT)
        END AS status,
        -- informational only: any non-negative decimal DuckDB reads (3 decimals kept)
        CASE WHEN try_cast(latency_text AS DECIMAL(18, 3)) >= 0 THEN try_cast(latency_text AS DECIMAL(18, 3)) END AS latency
    FROM (
        SELECT
            *,
            -- values are read as written: a value with surrounding spaces is not parsed into something else
            nullif(probed_at, '') AS probed_at_text,
            nullif(status_code, '') AS status_text,
            nullif(latency_ms, '') AS latency_text
        FROM probe_raw_rows
    )
)
