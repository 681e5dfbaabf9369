"""Fault injection for the crash tests (issue 9): `SLA_TEST_KILL_AT=<phase>` SIGKILLs the run's own
process at that phase boundary, exactly as a power cut or an OOM kill would stop it there. Unset (as
always in production) it does nothing; the phases are the ones the crash tests name."""

from __future__ import annotations

import os
import signal

KILL_ENV = "SLA_TEST_KILL_AT"
PHASES = ("after_ingest", "after_models", "mid_render", "mid_publication")


def kill_point(phase: str) -> None:
    """Die here, without any cleanup, if the crash test asks for this phase."""
    if os.environ.get(KILL_ENV) == phase:
        os.kill(os.getpid(), signal.SIGKILL)


__all__ = ["KILL_ENV", "PHASES", "kill_point"]
