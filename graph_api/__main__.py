"""`graph-api` and `python -m graph_api`: the command line, imported with the garbage collector paused.

Importing the service makes some 165,000 objects the cyclic collector tracks, which live as long as the process
(modules, classes, functions, the schema's types), and the collector walked them again and again while they were
made: 130-190 ms of a server's start on a busy machine, two full walks among them. Paused while they are made, then
left out of its walks for good (`heap.settle`), it walks only what comes after: 15-20 ms of collections until the
first answer.
"""

from __future__ import annotations

import gc


def main() -> None:
    gc.disable()
    try:
        from graph_api import cli, heap

        heap.settle()
    finally:
        gc.enable()
    cli.main()


if __name__ == "__main__":
    main()
