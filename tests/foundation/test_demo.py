"""`stripe-p21 demo --check` runs the whole embedded path — service, both sandboxes, a scenario
delivered with duplicates and reordering — and P21 ends exactly as the ground truth says."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_runs_end_to_end(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE", "P21_"))}
    for name in ("STRIPE_P21_DEMO_SANDBOX_PORT", "STRIPE_P21_DEMO_P21_PORT"):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            env[name] = str(sock.getsockname()[1])
    result = subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "stripe_p21", "demo", "--check", "--days", "5",
         "--port", str(port)],
        env=env, capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path,
    )  # fmt: skip
    out = result.stdout
    assert result.returncode == 0, out[-3000:] + result.stderr[-3000:]
    assert "balance.available" in out and "→ 200" in out
    assert '"duplicate":true' in out
    assert "signature_mismatch" in out
    assert "events," in out and "deliveries (" in out and "duplicates" in out
    for heading in ("Orders", "Credit memos", "GL entries", "Payouts", "Review items"):
        assert f"  {heading}" in out
    assert "match the scenario's ground truth exactly" in out
    assert (tmp_path / "var" / "scenario-truth.json").exists()
    assert f"http://127.0.0.1:{port}/api/review-items" in out
    assert "whsec_" not in out + result.stderr
