-- Per probe file, where every record went: rows_read = rows_used + rows_other_months + rows_rejected
-- + rows_collapsed. Grain: one row per probe file of the drop (also a file with no rows).
-- A row is rejected first (any problem), else of another month (valid, probed outside the run's month),
-- else collapsed (an exact duplicate of an earlier copy, also across files), else used.
-- Inputs: probe_files (TEMP), intermediate.probe_scan, intermediate.probe_judged_results.
WITH outcomes AS (
    SELECT
        file_path,
        sum(rows) AS rows_read,
        coalesce(sum(rows) FILTER (WHERE outcome = 'month'), 0) AS rows_in_month,
        coalesce(sum(rows) FILTER (WHERE outcome = 'other_month'), 0) AS rows_other_months,
        coalesce(sum(rows) FILTER (WHERE outcome = 'rejected'), 0) AS rows_rejected
    FROM intermediate.probe_scan
    GROUP BY file_path
),
collapsed AS (
    SELECT source_file, count(*) AS rows_collapsed
    FROM intermediate.probe_judged_results
    WHERE is_duplicate
    GROUP BY source_file
)
SELECT
    f.source_file,
    CAST(coalesce(o.rows_read, 0) AS BIGINT) AS rows_read,
    CAST(coalesce(o.rows_in_month, 0) - coalesce(c.rows_collapsed, 0) AS BIGINT) AS rows_used,
    CAST(coalesce(o.rows_other_months, 0) AS BIGINT) AS rows_other_months,
    CAST(coalesce(o.rows_rejected, 0) AS BIGINT) AS rows_rejected,
    CAST(coalesce(c.rows_collapsed, 0) AS BIGINT) AS rows_collapsed
FROM probe_files AS f
LEFT JOIN outcomes AS o ON o.file_path = f.file_path
LEFT JOIN collapsed AS c ON c.source_file = f.source_file
ORDER BY f.file_order
