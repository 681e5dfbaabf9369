-- The uptime target of each plan for the run's month, from the policy version in force (R5, R17, R20).
-- Grain: one row per plan. NULL target = best effort (growth). Inputs: bound parameters only.
SELECT * FROM (
    VALUES
        ('enterprise', CAST($target_enterprise AS DECIMAL(10, 8))),
        ('growth', CAST($target_growth AS DECIMAL(10, 8)))
) AS t(plan, target)
