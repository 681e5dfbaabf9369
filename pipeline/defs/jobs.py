"""The monthly job: every asset of one month (partitions come from the assets).

By default every step runs in the run's process — DuckDB allows one writer per file and a subprocess
per step costs seconds for nothing on a small month. The statements asset fans its rendering out into
shard steps (pipeline/defs/assets/statements.py), so the executor decides where they run, by
configuration only (docs/statements.md "Fan-out"):

- run config `execution: {config: {multiprocess: {max_concurrent: N}}}` (the UI's launchpad, or
  `SLA_EXECUTOR=multiprocess sla-report run …`): one process per step on this machine; the warehouse
  steps still take turns through the `sla_warehouse` pool, the render shards run side by side;
- `SLA_EXECUTOR=k8s` or `SLA_EXECUTOR=celery` in the code location's environment: Dagster's
  `k8s_job_executor` (dagster-k8s) or `celery_executor` (dagster-celery) run the steps on many
  machines, configured through the same `execution` run config.
"""

import importlib
import os

import dagster as dg

# The selectable executor Dagster's own default is made of (its config fields and defaults), with
# in-process as the default instead of multiprocess.
from dagster._core.definitions.executor_definition import (
    IN_PROC_CONFIG,
    MULTI_PROC_CONFIG,
    multi_or_in_process_executor,
)

MONTHLY_JOB_NAME = "monthly_sla_report"
EXECUTOR_ENV = "SLA_EXECUTOR"
EXECUTORS = ("in_process", "multiprocess", "k8s", "celery")


def _requirements(config):
    return dg.multiple_process_executor_requirements() if "multiprocess" in config else []


@dg.executor(
    name="sla_executor",
    config_schema=dg.Field(
        dg.Selector({"in_process": IN_PROC_CONFIG, "multiprocess": MULTI_PROC_CONFIG}),
        default_value={"in_process": {}},
    ),
    requirements=_requirements,
)
def sla_executor(init_context: dg.InitExecutorContext) -> dg.Executor:
    """Steps in the run's process, unless the run config chooses `multiprocess`."""
    return multi_or_in_process_executor.executor_creation_fn(init_context)


# Executors of other packages, by the name an operator sets; imported only where they are chosen (the
# package is installed where the steps run, not here).
NAMED_EXECUTORS = {"k8s": "dagster_k8s:k8s_job_executor", "celery": "dagster_celery:celery_executor"}


def executor_from_env() -> dg.ExecutorDefinition:
    """`SLA_EXECUTOR`: unset, `in_process` or `multiprocess` → `sla_executor` (the run config chooses);
    `k8s` → dagster-k8s's `k8s_job_executor`; `celery` → dagster-celery's `celery_executor`; any other
    executor as `package.module:attribute`."""
    name = os.environ.get(EXECUTOR_ENV, "").strip() or "in_process"
    if name in ("in_process", "multiprocess"):
        return sla_executor
    target = NAMED_EXECUTORS.get(name, name)
    if ":" not in target:
        raise ValueError(f"{EXECUTOR_ENV}={name!r}: expected one of {', '.join(EXECUTORS)} or package.module:executor")
    module, attribute = target.split(":", 1)
    try:
        executor = getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"{EXECUTOR_ENV}={name!r}: cannot load {target} ({exc}); install its package") from exc
    if not isinstance(executor, dg.ExecutorDefinition):
        raise ValueError(f"{EXECUTOR_ENV}={name!r}: {target} is not a Dagster executor")
    return executor


monthly_sla_report = dg.define_asset_job(
    name=MONTHLY_JOB_NAME,
    selection=dg.AssetSelection.all(),
    executor_def=executor_from_env(),
    description="Runs one month end to end: inputs, support SLAs, uptime and credits, statements, "
    "then publishes the warehouse.",
)

__all__ = ["monthly_sla_report", "MONTHLY_JOB_NAME", "EXECUTOR_ENV", "executor_from_env", "sla_executor"]
