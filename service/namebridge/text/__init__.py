"""Text in, tokens and keys out: normalisation, scripts, keys, transliteration, morphology, word lists.

Imports only the bottom layer (``errors``, ``settings``, ``tsv``).
"""
