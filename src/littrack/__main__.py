"""Run littrack as ``python -m littrack``."""

from littrack.cli import main

main()
