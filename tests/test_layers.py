"""Lower layers never import higher ones.

The layers, bottom to top:

0. ``errors``, ``settings``, ``tsv`` (and the package ``__init__``)
1. ``text``        text in -> tokens, scripts, keys, romanized forms
2. ``lexicon``     reading, validating and versioning ``lexicons/``
3. ``matching``    query analysis, index, alignment, scoring, the engine
4. ``annotation``  mentions in running text: automaton, context rules, the annotator
5. ``api``, ``batch``, ``evaluation`` (``v1``, the generated protobuf, belongs to ``api``)
6. ``cli``

A module may import its own layer and any lower one. The three transports of
layer 5 do not import each other, with one exception: ``batch`` may use the
typed client ``api.client`` (``namebridge batch --server`` resolves on a
running server). Every import counts, also those inside functions and under
``TYPE_CHECKING``: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "service" / "namebridge"

LAYERS = {"errors": 0, "settings": 0, "tsv": 0, "__init__": 0,
          "text": 1, "lexicon": 2, "matching": 3, "annotation": 4,
          "api": 5, "v1": 5, "batch": 5, "evaluation": 5, "cli": 6}
#: (importer, imported) pairs allowed across the top transports
ALLOWED_SIDEWAYS = {("batch", "namebridge.api.client")}


def _part(module: str) -> str:
    """The layer name of a dotted module under namebridge (``namebridge.text.keys`` -> ``text``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "v1" not in p.relative_to(PACKAGE).parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every namebridge import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "namebridge"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] == "namebridge":
                # `from namebridge.matching import features` imports namebridge.matching.features
                found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return found


def test_every_module_has_a_layer() -> None:
    modules = _modules()
    assert len(modules) > 30
    for path in modules:
        name = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        assert name in LAYERS, f"{path}: not in a layer; add it to LAYERS and the docstring"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_import_from_a_higher_layer(path: Path) -> None:
    own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    wrong = []
    for line, module in _imports(path):
        target = _part(module)
        if target not in LAYERS:   # `from namebridge import __version__` and the like
            continue
        if LAYERS[target] > LAYERS[own]:
            wrong.append(f"{path.name}:{line}: {own} (layer {LAYERS[own]}) imports {module} (layer {LAYERS[target]})")
        elif (LAYERS[target] == LAYERS[own] == LAYERS["api"] and target != own and {own, target} != {"api", "v1"}
              and not any(own == a and module.startswith(b) for a, b in ALLOWED_SIDEWAYS)):
            wrong.append(f"{path.name}:{line}: {own} imports {module}, a sibling transport")
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    """The rule is not vacuous: a text module importing the engine is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from namebridge.matching.engine import Engine\n", encoding="utf-8")
    assert _imports(bad) == [(2, "namebridge.matching.engine.Engine")]
    assert LAYERS[_part("namebridge.matching.engine.Engine")] > LAYERS["text"]


def test_annotation_sits_between_matching_and_the_transports() -> None:
    """annotation may use matching, text and lexicon; api, batch, evaluation and cli may use it."""
    assert LAYERS["matching"] < LAYERS["annotation"] < min(LAYERS[t] for t in ("api", "batch", "evaluation"))
    assert LAYERS["annotation"] < LAYERS["cli"]
