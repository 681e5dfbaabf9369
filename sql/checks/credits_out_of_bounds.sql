-- Credits that no policy could produce: negative, above the cap share of the fee base, credited
-- without a shortfall, or on a customer-month with no enterprise uptime row (R18, R19).
SELECT c.customer_id, c.currency, c.fee_base, c.credit_pct, c.credit_amount, c.capped, u.uptime, u.target
FROM main.credits AS c
LEFT JOIN main.uptime_monthly AS u
    ON u.customer_id = c.customer_id AND u.month = c.month AND u.plan = 'enterprise'
WHERE c.month = $month
  AND (
      c.credit_amount < 0
      OR c.credit_amount > c.fee_base * $cap_pct / 100 + 0.5
      OR (c.credit_amount > 0 AND u.uptime >= u.target)
      OR u.customer_id IS NULL
  )
