"""Fault: the SMTP server answers 4xx (try again later), then rejects our credentials (535).

From the first gift on, the fault stack's SMTP server answers `451` to every message for a
minute, then `535` to every login for a minute: two minutes in all, while gifts, refunds,
disputes and renewals go on. Then it accepts again.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Fault, Scenario, main  # noqa: E402

PHASE_SECONDS = 60


def hooks(fault: Fault):
    def refuse() -> None:
        mode = fault.stack.mode_file
        fault.begin("SMTP answers 451 to every message")
        mode.write_text("4xx")
        time.sleep(PHASE_SECONDS)
        fault.notes.append("  SMTP rejects every login with 535")
        mode.write_text("535")
        time.sleep(PHASE_SECONDS)
        mode.write_text("ok")
        fault.finish("SMTP accepts again")

    return {"start": lambda: fault.later(refuse)}


SCENARIO = Scenario(
    name="smtp",
    description="the SMTP server answering 4xx, then rejecting credentials (535), for two minutes",
    gifts=30,
    months=1,
    hooks=hooks,
)

if __name__ == "__main__":
    sys.exit(main(SCENARIO))
