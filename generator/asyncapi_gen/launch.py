"""The `asyncapi-gen` program: start the models worker for a build before anything else is imported, then run the CLI.

On a small document the build's critical path is the worker's (`modelworker`): importing and warming up
datamodel-code-generator takes longer than everything the parent does. Forking before the CLI's own imports
(click, the config and provenance modules: ~50 ms) starts that path as early as the process allows.
"""

from __future__ import annotations

import gc
import sys


def main() -> None:
    """Entry point of the `asyncapi-gen` script and of `python -m asyncapi_gen`."""
    if sys.argv[1:2] == ["build"] and not {"--help", "-h"} & set(sys.argv[2:]):
        from asyncapi_gen.modelworker import start_early

        start_early()
        # A build is a batch job that allocates millions of objects (a large document's data, its IR, the
        # parse of models.py) and frees them at exit: the cyclic collector's default thresholds set it off
        # over and over for nothing (a quarter of the parent's time at 5,000 messages). Set after the fork, so
        # the worker keeps the defaults (datamodel-code-generator does not gain from it).
        gc.set_threshold(200_000, 20, 20)
    from asyncapi_gen.cli import main as cli_main

    cli_main()
