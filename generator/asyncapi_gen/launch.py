"""The `asyncapi-gen` program: start the models worker for a build before anything else is imported, then run the CLI.

On a small document the build's critical path is the worker's (`modelworker`): importing and warming up
datamodel-code-generator takes longer than everything the parent does. Forking before the CLI's own imports
(click, the config and provenance modules: ~50 ms) starts that path as early as the process allows.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Entry point of the `asyncapi-gen` script and of `python -m asyncapi_gen`."""
    if sys.argv[1:2] == ["build"] and not {"--help", "-h"} & set(sys.argv[2:]):
        from asyncapi_gen.modelworker import start_early

        start_early()
    from asyncapi_gen.cli import main as cli_main

    cli_main()
