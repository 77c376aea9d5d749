"""Runtime tests: real aiortc peer connections and websockets servers, pinned to loopback."""

import logging

# aioice logs every candidate pair at INFO; keep failures readable.
logging.getLogger("aioice").setLevel(logging.WARNING)
