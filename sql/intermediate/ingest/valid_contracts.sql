-- The contracts a run may use (R3): dates as UTC midnights, ends exclusive, NULL end = open.
-- Grain: one row per contract_id. Inputs: intermediate.checked_contracts.
SELECT
    contract_id, customer_id, plan, monthly_fee, currency, minor_unit,
    starts_on, ends_on, starts_at, ends_at, source_file, line_number
FROM intermediate.checked_contracts
WHERE reject_reason IS NULL AND NOT is_collapsed_duplicate
