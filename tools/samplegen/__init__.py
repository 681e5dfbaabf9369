"""The seeded generator of the committed sample month (`data/sample/`) and of large benchmark months."""

from tools.samplegen.generator import main

__all__ = ["main"]
