-- The maintenance windows and incidents that concern each customer in the month, with whether they
-- could excuse minutes (R16) — the reasons printed next to excluded periods, and the incidents listed
-- on statements. Grain: one row per customer × window. Inputs: main.exclusion_windows.
SELECT customer_id, kind, window_id, for_all_customers, starts_at, ends_at, cause, description,
       announced_at, qualifies
FROM main.exclusion_windows
WHERE month = $month
ORDER BY customer_id, starts_at, kind, window_id
