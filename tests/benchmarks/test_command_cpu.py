"""``make bench`` counts the CPU of every process a command starts, not only the command's own."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.benchmarks.bench_commands import REPO

# The command exits at once; its child, left behind, spends 0.3 s of CPU and then exits, as a
# fork server's workers outlive the ingest that started them.
_ORPHANING_COMMAND = (
    "import subprocess, sys\n"
    "subprocess.Popen([sys.executable, '-c', "
    "'import time\\nwhile time.process_time() < 0.3: pass'])\n"
)
_BENCH = (
    "import json, sys\n"
    "from tests.benchmarks.bench_commands import adopt_orphans, orphans_adopted, timed_command\n"
    "adopted = adopt_orphans(False)\n"
    "with orphans_adopted():\n"
    "    done = timed_command([sys.executable, '-c', sys.argv[1]], {})\n"
    "print(json.dumps({'adopted': adopted, 'cpu': done['cpu_seconds']}))\n"
)


def test_the_cpu_of_a_commands_orphaned_processes_is_counted() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _BENCH, _ORPHANING_COMMAND],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = json.loads(out)
    assert found["adopted"] is True
    assert found["cpu"] >= 0.3
