"""The one `Definitions` of sla-report, loaded by `workspace.yaml` and by the CLI."""

import dagster as dg

from pipeline.defs.assets import credits, inputs, publish, statements, support, uptime
from pipeline.defs.checks import asset_checks
from pipeline.defs.jobs import monthly_sla_report
from pipeline.defs.metadata import beta_apis
from pipeline.defs.resources import SlaEnvironment
from pipeline.defs.schedules import monthly_schedule
from pipeline.defs.sensors import sensors

# every asset links to its Python function in the UI (the marts also to their SQL file)
with beta_apis():
    _assets = dg.with_source_code_references(
        dg.load_assets_from_modules([inputs, support, uptime, credits, statements, publish])
    )

defs = dg.Definitions(
    assets=_assets,
    asset_checks=asset_checks,
    jobs=[monthly_sla_report],
    schedules=[monthly_schedule],
    sensors=sensors,
    resources={"sla": SlaEnvironment()},
)



def monthly_job() -> dg.JobDefinition:
    """The monthly job, for `dg.reconstructable(monthly_job)`: what an executor that runs steps in
    processes of their own (multiprocess, k8s, Celery) loads in each of them."""
    return defs.resolve_job_def(monthly_sla_report.name)


__all__ = ["defs", "monthly_job"]
