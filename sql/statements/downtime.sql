-- Minutes by cause of the enterprise part of each customer's month (issue 13, downtime attribution):
-- the annex table of the statement and the causes of the finance summary.
-- Grain: one row per customer × cause × cause_id, with its checks and regions in `sources`.
-- Inputs: main.downtime_attribution.
SELECT customer_id, cause, cause_id, bool_and(counts_against_uptime) AS counts_against_uptime,
       sum(minutes) AS minutes,
       list({'check': "check", 'region': region, 'minutes': minutes} ORDER BY minutes DESC, "check", region) AS sources
FROM main.downtime_attribution
WHERE month = $month AND plan = 'enterprise'
GROUP BY customer_id, cause, cause_id
ORDER BY customer_id, bool_and(counts_against_uptime) DESC, minutes DESC, cause, cause_id
