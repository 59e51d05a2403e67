"""A real Neo4j 5.26 Community server for the tests, built and run with the machine's Java and Maven.

Maven resolves the `org.neo4j:neo4j` jars from Maven Central (`pom.xml`), `javac` compiles the small
`Neo4jLauncher.java`, and `java` runs it on 127.0.0.1 with its data in a folder of the caller's choosing.
The build is cached under `~/.cache/graph-api/` (keyed by the two files), outside the repository.

    python -m tests.neo4j_server     prints NEO4J_URI=bolt://127.0.0.1:PORT when Neo4j accepts connections
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from neo4j import GraphDatabase
from neo4j.exceptions import DriverError, Neo4jError

HERE = Path(__file__).resolve().parent
JAVA_OPTIONS = [
    "-Xmx2g",  # the tests of writes wipe and load the seeds once a module: with 1 GB, collections stalled reads
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
]
BUILD_TIMEOUT_S = 1200
START_TIMEOUT_S = 120


class Neo4jLaunchError(RuntimeError):
    """Neo4j could not be built or started here; the message says what is missing."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int) -> bool:
    """Whether something listens on the port already (SO_REUSEADDR: a closing connection does not count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
        return False


def _run(command: list[str], what: str) -> None:
    if shutil.which(command[0]) is None:
        raise Neo4jLaunchError(f"{command[0]} is not on PATH: it is needed to {what}")
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        raise Neo4jLaunchError(f"could not {what} within {BUILD_TIMEOUT_S} s") from exc
    if result.returncode != 0:
        raise Neo4jLaunchError(
            f"could not {what}: {' '.join(command[:3])} ...\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )


def build() -> str:
    """The Java classpath of the launcher, building it first if this version was never built here."""
    sources = (HERE / "pom.xml").read_bytes() + (HERE / "Neo4jLauncher.java").read_bytes()
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "graph-api"
    build_dir = cache / f"neo4j-launcher-{hashlib.sha256(sources).hexdigest()[:16]}"
    classpath_file = build_dir / "classpath.txt"
    if not (build_dir / "classes" / "Neo4jLauncher.class").exists():
        build_dir.mkdir(parents=True, exist_ok=True)
        _run(
            [
                "mvn",
                "-B",
                "-q",
                "-f",
                str(HERE / "pom.xml"),
                "dependency:build-classpath",
                f"-Dmdep.outputFile={classpath_file}",
            ],
            "resolve the Neo4j jars from Maven Central",
        )
        _run(
            [
                "javac",
                "-d",
                str(build_dir / "classes"),
                "-cp",
                classpath_file.read_text().strip(),
                str(HERE / "Neo4jLauncher.java"),
            ],
            "compile the Neo4j launcher",
        )
    return f"{build_dir / 'classes'}{os.pathsep}{classpath_file.read_text().strip()}"


class Neo4jServer:
    """One Neo4j process on a fixed port and data folder: it can be stopped and started again."""

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.uri = f"bolt://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None
        self._classpath: str | None = None

    def start(self) -> str:
        """Start Neo4j and return its URI once it accepts Bolt connections.

        A port someone else listens on is refused first: that server would answer in this one's place, and
        the tests wipe the database they are given.
        """
        if port_in_use(self.port):
            raise Neo4jLaunchError(f"port {self.port} is already in use: another Neo4j (or program) listens on it")
        self._classpath = self._classpath or build()
        if shutil.which("java") is None:
            raise Neo4jLaunchError("java is not on PATH: Neo4j 5.26 needs Java 17 or 21")
        with (self.data_dir / "launcher.log").open("ab") as log:
            self._process = subprocess.Popen(
                ["java", *JAVA_OPTIONS, "-cp", self._classpath, "Neo4jLauncher", str(self.data_dir), str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        with GraphDatabase.driver(self.uri, auth=("neo4j", "unused"), connection_timeout=2) as driver:
            while True:
                try:
                    driver.verify_connectivity()
                    if self._process.poll() is None:
                        return self.uri
                    raise Neo4jLaunchError(f"the launcher exited, yet something answers on {self.uri}")
                except (DriverError, Neo4jError, OSError) as exc:
                    if self._process.poll() is not None or time.monotonic() > deadline:
                        self.stop()
                        tail = (self.data_dir / "launcher.log").read_text(errors="replace")[-3000:]
                        raise Neo4jLaunchError(f"Neo4j did not start on {self.uri}: {exc}\n{tail}") from exc
                    time.sleep(0.25)

    def stop(self) -> None:
        """Shut Neo4j down cleanly (its shutdown hook runs), or kill it after 60 s."""
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None
