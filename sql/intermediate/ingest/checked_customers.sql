-- Every customers.csv record with its final verdict: the reason it is rejected, or a collapsed copy.
-- Grain: one row per data record of customers.csv. Inputs: staging.customers, intermediate.csv_duplicates.
SELECT *
FROM sla_row_verdicts('customers', 'staging.customers', 'intermediate.csv_duplicates') AS s
