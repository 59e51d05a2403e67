"""`python -m tests.neo4j_server [--port N] [--data DIR]`: run Neo4j for the tests until terminated."""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
from pathlib import Path
from types import FrameType

from tests.neo4j_server import Neo4jLaunchError, Neo4jServer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, help="Bolt port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--data", type=Path, help="data folder (default: a temporary one, removed at the end)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="neo4j-") as temporary:
        server = Neo4jServer(args.data or Path(temporary), args.port)
        try:
            uri = server.start()
        except Neo4jLaunchError as exc:
            print(exc, file=sys.stderr)
            return 1

        def stop(signum: int, frame: FrameType | None) -> None:
            server.stop()
            sys.exit(0)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        print(f"NEO4J_URI={uri}", flush=True)
        signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())
