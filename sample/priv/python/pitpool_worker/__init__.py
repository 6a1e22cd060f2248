"""Pitpool's Python worker: answers framed requests from the Elixir pool on stdio.

Run as ``python3 -m pitpool_worker`` with ``priv/python`` on ``PYTHONPATH``. Standard
library only, so a fresh interpreter can run it.
"""

from pitpool_worker.commands import COMMANDS
from pitpool_worker.etf import Atom, DecodeError, EncodeError, decode, encode
from pitpool_worker.protocol import handle_frame, read_frame, write_frame

__version__ = "0.1.0"

__all__ = [
    "COMMANDS",
    "Atom",
    "DecodeError",
    "EncodeError",
    "decode",
    "encode",
    "handle_frame",
    "read_frame",
    "write_frame",
]
