"""Start the Stripe sandbox as a real subprocess on a free loopback port, for tests and benches."""

import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_SECONDS = 5.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SandboxProcess:
    """`with SandboxProcess() as sandbox:` runs one sandbox; `sandbox.url` is its base URL."""

    def __init__(
        self,
        *,
        db_path: str | Path | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        port: int | None = None,
        chaos_seed: int | None = None,
        settlement_currency: str | None = None,
    ):
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None
        if db_path is None:
            self._tempdir = tempfile.TemporaryDirectory(prefix="stripe_sandbox_")
            db_path = Path(self._tempdir.name) / "sandbox.sqlite3"
        self.db_path = Path(db_path)
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.chaos_seed = chaos_seed
        self.settlement_currency = settlement_currency
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        # Kept open for the process's lifetime and closed in close(), so not a `with` block.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115

    def command(self) -> list[str]:
        command = [sys.executable, "-m", "stripe_sandbox", "--port", str(self.port)]
        command += ["--db", str(self.db_path)]
        if self.webhook_url:
            command += ["--webhook-url", self.webhook_url]
        if self.webhook_secret:
            command += ["--webhook-secret", self.webhook_secret]
        if self.chaos_seed is not None:
            command += ["--chaos", str(self.chaos_seed)]
        if self.settlement_currency:
            command += ["--settlement-currency", self.settlement_currency]
        return command

    def start(self) -> "SandboxProcess":
        self.process = subprocess.Popen(
            self.command(), cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=self._stderr
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                self.control("GET", "/_sandbox/clock")
            except OSError:
                time.sleep(0.05)
            else:
                return self
        self.stop()
        raise RuntimeError(f"stripe sandbox did not start:\n{self.stderr()}")

    def stderr(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def close(self) -> None:
        self.stop()
        self._stderr.close()
        if self._tempdir:
            self._tempdir.cleanup()

    def __enter__(self) -> "SandboxProcess":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def control(
        self, method: str, path: str, body: dict[str, Any] | None = None, timeout: float = 30
    ) -> Any:
        """Call the JSON control API; raise urllib.error.HTTPError on a 4xx/5xx answer."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url + path,
            data=data if data is not None else (b"" if method == "POST" else None),
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
