"""Compare what P21 and our database hold after a scenario with the scenario's ground truth
(docs/scenarios.md): every missing, extra, duplicate or wrong document, reconciliation break,
review item and customer link. `stripe-p21 demo --check` and the end-to-end tests use it."""

from stripe_p21.sync_check.check import check, load_truth
from stripe_p21.sync_check.result import CheckResult, Difference
from stripe_p21.sync_check.state import p21_state_of
from stripe_p21.sync_check.summary import Summary, summarise

__all__ = [
    "CheckResult",
    "Difference",
    "Summary",
    "check",
    "load_truth",
    "p21_state_of",
    "summarise",
]
