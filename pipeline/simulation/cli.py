"""`sla-report simulate`: recompute published months under a proposed policy and compare."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.settings import Settings

SIMULATION_COMMANDS = ("simulate",)

DESCRIPTION = """\
Recompute the months --from..--to under the policy file --policy, with the same SQL models, inputs
(each month's drop, as-of and run start, from report_runs) and engines as a run, in a scratch build,
and compare the credits, uptime, steps and attainment with the published warehouse. Nothing published
is touched: the warehouse is opened read-only, statements and the ledger are never opened.

writes into --out (default ./simulation):
  simulation.csv      one line per enterprise customer-month: customer_id, month, currency,
                      credit_current, credit_proposed, delta, uptime (proposed), steps_current,
                      steps_proposed, then uptime_current, credit_pct_*, and attainment per clock and
                      severity (<clock>_<severity>_current / _proposed, fractions)
  simulation.pdf      totals per currency, the biggest changes, every customer-month
  simulation.duckdb   the scratch build, to query the proposed figures

exit codes: 0 written; 1 refused (unpublished month, bad policy file, missing drop); 2 usage error
"""


def add_simulation_commands(commands) -> None:  # noqa: ANN001 - argparse's private subparsers action
    parser = commands.add_parser(
        "simulate",
        help="what-if: recompute published months under a proposed policy, never touching what is published",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--policy", required=True, type=Path, metavar="FILE", help="the proposed policy file")
    parser.add_argument("--from", dest="first", required=True, metavar="YYYY-MM", help="first month")
    parser.add_argument("--to", dest="last", required=True, metavar="YYYY-MM", help="last month (included)")
    parser.add_argument("--out", type=Path, default=Path("simulation"), metavar="DIR", help="output folder")
    parser.add_argument("--data-dir", type=Path, metavar="DIR",
                        help="read every month from this drop instead of the one its run recorded")


def run_simulation_command(args: argparse.Namespace, out=None) -> int:
    from pipeline.simulation.run import simulate

    out = out or sys.stdout
    settings = Settings.from_env()
    result = simulate(settings.warehouse, args.policy, args.first, args.last, args.out, data_dir=args.data_dir,
                      progress=lambda line: print(line, file=sys.stderr, flush=True))
    changed = sum(1 for r in result.rows if r["delta_minor"] != 0)
    print(f"{len(result.rows)} customer-months, {changed} with a different credit", file=out)
    print(f"  csv:     {result.csv_path}", file=out)
    print(f"  summary: {result.pdf_path}", file=out)
    print(f"  scratch: {result.scratch}", file=out)
    return 0


__all__ = ["SIMULATION_COMMANDS", "add_simulation_commands", "run_simulation_command"]
