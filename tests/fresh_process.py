"""Run littrack commands in a new interpreter and report which modules they imported (the start-up cost tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence

_CODE = """
import json, sys
from click.testing import CliRunner
from littrack.cli import cli
invocations, watch = json.loads(sys.argv[1])
outputs = []
for args in invocations:
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0, (args, r.output)
    outputs.append(r.stdout)
print(json.dumps([outputs, [m for m in watch if m in sys.modules]]))
"""


def run_cli(*invocations: Sequence[str], watch: Sequence[str]) -> tuple[list[str], list[str]]:
    """Each invocation's stdout (every one must exit 0), and which of the `watch` modules were imported by then."""
    argument = json.dumps([[list(args) for args in invocations], list(watch)])
    out = subprocess.run([sys.executable, "-c", _CODE, argument], capture_output=True, text=True, check=True).stdout
    outputs, loaded = json.loads(out)
    return outputs, loaded
