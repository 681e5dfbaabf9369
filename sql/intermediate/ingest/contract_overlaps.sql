-- Pairs of valid contracts of one customer whose periods overlap (R3: an input error that stops the run).
-- Grain: one row per overlapping pair. Inputs: intermediate.valid_contracts.
SELECT
    a.customer_id,
    a.contract_id AS first_contract_id,
    b.contract_id AS second_contract_id,
    a.line_number AS first_line_number,
    b.line_number AS second_line_number
FROM intermediate.valid_contracts AS a
JOIN intermediate.valid_contracts AS b
    ON a.customer_id = b.customer_id
    AND a.contract_id < b.contract_id
    AND a.starts_on < coalesce(b.ends_on, DATE '9999-12-31')
    AND b.starts_on < coalesce(a.ends_on, DATE '9999-12-31')
ORDER BY a.customer_id, a.contract_id, b.contract_id
