-- How long each enterprise customer of the month has been one: the start of its earliest enterprise
-- contract in the drop, whatever months that contract covered. The statements' year of history reads
-- it to tell "before the contract began" from "not computed" (the contracts mart holds only the
-- contracts in force during its month). Grain: one row per customer with an enterprise measured
-- period in the month. Inputs: intermediate.contract_periods, intermediate.valid_contracts.
WITH customers AS (
    SELECT DISTINCT customer_id FROM intermediate.contract_periods WHERE plan = 'enterprise'
)
SELECT
    $month AS month,
    c.customer_id,
    min(v.starts_on) AS first_enterprise_start,
    count(*) AS enterprise_contracts
FROM customers AS c
JOIN intermediate.valid_contracts AS v ON v.customer_id = c.customer_id AND v.plan = 'enterprise'
GROUP BY c.customer_id
ORDER BY c.customer_id
