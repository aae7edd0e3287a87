"""`stripe-p21 demo --no-serve` runs the whole embedded path and exits cleanly."""

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
    env["STRIPE_P21_DATABASE_URL"] = f"sqlite:///{tmp_path}/demo.db"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        env["STRIPE_P21_DEMO_SANDBOX_PORT"] = str(sock.getsockname()[1])
    result = subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "stripe_p21", "demo", "--no-serve", "--port", str(port)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "balance.available" in out and "→ 200" in out
    assert '"duplicate":true' in out
    assert "signature_mismatch" in out
    assert "events," in out and "deliveries (" in out and "duplicates" in out
    assert "Inbox by status:" in out and "ignored" in out
    assert (tmp_path / "var" / "scenario-truth.json").exists()
    assert f"http://127.0.0.1:{port}/api/events" in out
    assert "whsec_" not in out + result.stderr
