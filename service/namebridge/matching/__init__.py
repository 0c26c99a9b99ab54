"""Query analysis, the alias index, alignment, features, scoring and the engine.

Imports the bottom layer, ``text`` and ``lexicon``; never ``api``, ``batch``,
``evaluation`` or ``cli``.
"""
