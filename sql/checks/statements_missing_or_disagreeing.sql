-- Enterprise customer-months without a current statement, or whose current statement's credit or
-- currency differs from the credits table (R21: one PDF per enterprise customer, also at zero credit).
SELECT c.customer_id, c.credit_amount AS credited, c.currency, s.credit_amount AS on_statement,
       s.currency AS statement_currency, s.path
FROM main.credits AS c
LEFT JOIN main.statements AS s ON s.customer_id = c.customer_id AND s.month = c.month AND s.is_current
WHERE c.month = $month
  AND (s.customer_id IS NULL OR s.credit_amount <> c.credit_amount OR s.currency <> c.currency)
