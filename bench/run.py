#!/usr/bin/env python
"""Run every benchmark in bench/ (`make bench`). Each prints ratios against a floor measured in
the same run; none of them fails on speed."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["page_cost.py", "heartbeat.py", "checkin.py", "export.py", "certificates.py", "load.py", "faults.py"]

if __name__ == "__main__":
    failed = 0
    for name in BENCHMARKS:
        print(f"\n##### {name}", flush=True)
        failed |= subprocess.call([sys.executable, str(HERE / name), *sys.argv[1:]])
    sys.exit(failed)
