"""What-if policy simulation (`sla-report simulate`, issue 13): the run's own models under a proposed policy."""

from pipeline.simulation.run import CSV_COLUMNS, Simulation, SimulationError, simulate

__all__ = ["CSV_COLUMNS", "Simulation", "SimulationError", "simulate"]
