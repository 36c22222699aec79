"""One local Spark Connect server for a run on the Spark engine, shared by the notebooks' kernels.

Each notebook runs in its own kernel; a local Spark session per kernel would start a JVM per
kernel (seconds each, and hundreds of MB of memory each on a 2-core machine). With `engine: spark`
and no `spark.remote`, the runner starts one server (`spark-submit` of Spark's
SparkConnectServer on `spark.master`, listening on 127.0.0.1 only) before it checks the data,
validates on it, hands its sc:// URL to every kernel, and stops it when the run ends. On Linux the
server dies with the runner even when the runner is killed (PR_SET_PDEATHSIG). With
`spark.remote` set, the kernels connect to that cluster and nothing is started here.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from helpers.core.errors import ParamError
from helpers.core.paths import cache_dir

SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"
START_TIMEOUT_S = 180
PR_SET_PDEATHSIG = 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spark_submit() -> Path:
    spec = importlib.util.find_spec("pyspark")
    if spec is None or spec.origin is None:
        raise ParamError("engine: spark needs PySpark: `pip install -r requirements-spark.txt` "
                         "(and Java 17 or newer)")
    name = "spark-submit.cmd" if sys.platform == "win32" else "spark-submit"
    return Path(spec.origin).parent / "bin" / name


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class SparkServer:
    """Starts a local Spark Connect server on first need (`remote`) and stops it on exit."""

    def __init__(self, say: Callable[[str], None] = print):
        self.say = say
        self.process: subprocess.Popen[bytes] | None = None
        self.url: str | None = None
        self.master: str | None = None
        self.log: Path | None = None

    def remote(self, values: Any) -> str | None:
        """The sc:// URL the kernels use for `values` (validated parameters): None when they name
        their own cluster (`spark.remote`) or use DuckDB."""
        if values.engine != "spark" or values.spark.remote:
            return None
        if self.url is None:
            self.start(values.spark.master, dict(values.spark.conf))
        elif values.spark.master != self.master:
            raise ParamError(f"spark.master: the notebooks of one run share one local Spark "
                             f"server; got {self.master} and {values.spark.master}")
        return self.url

    def start(self, master: str, conf: dict[str, str]) -> None:
        port = _free_port()
        self.log = cache_dir() / "spark" / f"connect-server-{os.getpid()}.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        settings = {"spark.connect.grpc.binding.address": "127.0.0.1",
                    "spark.connect.grpc.binding.port": str(port), "spark.ui.enabled": "false",
                    "spark.sql.shuffle.partitions": "4"} | conf
        command = [str(_spark_submit()), "--class", SERVER_CLASS, "--name", "wxreport",
                   "--master", master]
        for key, value in settings.items():
            command += ["--conf", f"{key}={value}"]
        self.say(f"wxreport: starting a local Spark Connect server ({master}) for the notebooks")
        env = os.environ | {"SPARK_LOCAL_IP": "127.0.0.1"}
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
        self.master = master
        self._wait(port)
        self.url = f"sc://127.0.0.1:{port}"

    def _wait(self, port: int) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log.read_text(errors="replace").strip().splitlines()[-3:]
                raise ParamError(f"engine: spark: the local Spark Connect server stopped at once "
                                 f"({' / '.join(tail) or 'no output'}; log {self.log}); Spark "
                                 f"needs Java 17 or newer (`java -version`)")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                return
            time.sleep(0.5)
        self.stop()
        raise ParamError(f"engine: spark: the local Spark Connect server did not answer within "
                         f"{START_TIMEOUT_S} s (log {self.log})")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        self.url = None

    def __enter__(self) -> SparkServer:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
