"""Namebridge: cross-script entity resolution and transliteration.

The engine (``namebridge.matching.engine.Engine``) is a plain library; the gRPC server,
the typed client and the CLI are thin transports over it.
"""

__version__ = "0.1.0"
