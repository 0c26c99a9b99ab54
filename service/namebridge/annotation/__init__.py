"""Mention annotation: every mention of a lexicon entity in running text, resolved, with offsets.

Layer 4, above ``matching`` and below the transports (``api``, ``batch``,
``evaluation``) and ``cli``. ``Annotator.annotate`` reads top to bottom:
words with offsets (``words``) -> candidate spans from the automaton
(``automaton``) -> confirmation by the engine's resolver -> context rules
(``context``) -> overlaps -> the document-level pass.
"""
