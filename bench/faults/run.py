"""`make faults` (every scenario, one after another) or `make faults SCENARIO=redis` (one).

Each scenario prints its comparison and a RESULT line; this prints them together at the
end and exits non-zero when any scenario lost or doubled anything or could not run.
"""

import importlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

SCENARIOS = {
    "redis": "fault_redis",
    "postgres": "fault_postgres",
    "worker-kill": "fault_worker_kill",
    "smtp": "fault_smtp",
    "stripe-500": "fault_stripe500",
    "shuffle": "fault_shuffle",
}


def main(argv: list[str]) -> int:
    names = [arg for arg in argv if not arg.startswith("-")]
    options = [arg for arg in argv if arg.startswith("-")]
    if not names or names == ["all"]:
        names = list(SCENARIOS)
    unknown = [name for name in names if name not in SCENARIOS]
    if unknown:
        print(f"Unknown scenario {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}.")
        return 2
    outcomes = []
    for name in names:
        scenario = importlib.import_module(SCENARIOS[name]).SCENARIO
        started = time.monotonic()
        status = harness.main(scenario, options)
        outcomes.append((name, status, time.monotonic() - started))
        if status == 130:
            break
    print()
    for name, status, seconds in outcomes:
        verdict = {0: "0 lost, 0 doubled", 1: "LOST OR DOUBLED (see above)"}.get(
            status, "did not run to its end"
        )
        print(f"{name:12} {verdict}  ({seconds / 60:.1f} min)")
    return max(status for _, status, _ in outcomes)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
