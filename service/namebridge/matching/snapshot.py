"""A compiled lexicon snapshot (``.nbx``): the built engine in one file that loads without analysing an alias.

``namebridge lexicon compile -o lexicon.nbx`` writes it; every command that
takes ``--lexicon DIR`` takes the file instead (``Engine.load`` sees a file).

Layout (all integers little-endian)::

    MAGIC                   16 bytes, b"NAMEBRIDGE-NBX\\n\\0"
    header length           8 bytes
    header                  JSON: format version, lexicon version, builder hash,
                            payload sha256, and the sections' (name, kind, offset, length)
    payload                 the sections, each at an offset that is a multiple of 8

A section is plain data, never code or pickled objects: ``json`` (small
structures: the lexicon's reference tables as their file texts, per-entity
external IDs, vocabulary keys), ``strs`` (UTF-8 strings, each ended by NUL), or a
numeric array (``u8`` ``u32`` ``f64``, machine byte order, recorded in the
header) read with ``array.frombytes``. Sections are read one at a time with
``os.pread`` rather than through a memory map, so a load never holds the whole
file: its peak RSS stays at or below a text load's.
Columns of aliases that repeat (language, kind, source, tier, file) are stored
as codes into a list of their values. A load builds no ``Alias``: the lexicon's
aliases are those columns read as ``AliasColumns`` (``lexicon/columns.py``), an
``Alias`` built when read; the index's dictionaries and token tuples are rebuilt
with ``dict(zip(...))`` and ``map`` over slices of the stored arrays.

The file is refused (``SnapshotError``, naming the file and the fix) when it is
not a snapshot, when its format version or builder hash differ from this
build's (the index is derived by code in ``text/``, ``lexicon/`` and
``matching/index.py``: a snapshot made by other code may differ), when the
payload does not match its checksum, or when the lexicon directory it was
compiled from still exists and its files changed since.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import struct
import sys
import tempfile
from array import array
import operator
from itertools import accumulate, compress, repeat
from dataclasses import astuple
from pathlib import Path
from typing import TYPE_CHECKING, Any


from namebridge.errors import NamebridgeError, Problem
from namebridge.lexicon.bundle import TABLE_FOLDERS, bundle_with_tables
from namebridge.lexicon.columns import CODED_FIELDS, AliasColumns
from namebridge.lexicon.loader import Lexicon
from namebridge.lexicon.model import Alias, Entity
from namebridge.matching.index import AliasIndex, VocabularyToken
from namebridge.settings import BUNDLED_LEXICON_DIR, Settings
from namebridge.text.keys import TokenKeys

if TYPE_CHECKING:
    from namebridge.matching.engine import Engine

MAGIC = b"NAMEBRIDGE-NBX\n\0"
#: numeric sections: kind -> ``array`` typecode (native byte order, recorded in the header)
_TYPECODES = {"u8": "B", "u32": "I", "f64": "d"}
#: bump when the layout or the meaning of a section changes
FORMAT_VERSION = 2
#: the lexicon-level files a snapshot copies to rebuild the tables (with the table folders)
REFERENCE_FILES = ("languages.tsv",)
_ALIAS_CODED = CODED_FIELDS
#: the yes/no fields of a vocabulary token, one u8 section each (a new flag: one more name here)
_VOCABULARY_FLAGS = ("abjad", "common", "acronym")
#: the index's maps from a key to vocabulary ids, stored alike
_MAPS = ("by_full", "by_skeleton", "by_full_deletion", "by_skeleton_deletion", "by_base")
_PACKAGE = Path(__file__).resolve().parents[1]
#: the code that derives what a snapshot holds (keys, weights, tokens, the lexicon model)
_BUILDER_SOURCES = ("text", "lexicon", "matching/index.py", "matching/snapshot.py")


class SnapshotError(NamebridgeError):
    """A snapshot file that cannot be used: not one, another build's, corrupt or stale."""

    grpc_code = "FAILED_PRECONDITION"

    def __init__(self, path: Path, reason: str, fix: str) -> None:
        super().__init__(f"{path}: {reason}; {fix}")
        self.path = path
        self.reason = reason
        self.fix = fix


def builder_hash() -> str:
    """sha256 (16 hex digits) over the source of the code that derives a snapshot's contents."""
    digest = hashlib.sha256()
    for entry in _BUILDER_SOURCES:
        base = _PACKAGE / entry
        files = sorted(base.rglob("*.py")) if base.is_dir() else [base]
        for path in files:
            data = path.read_bytes()
            digest.update(f"{path.relative_to(_PACKAGE).as_posix()}\0{len(data)}\0".encode())
            digest.update(data)
    return digest.hexdigest()[:16]


# --- writing ------------------------------------------------------------------------


class _Writer:
    def __init__(self) -> None:
        self.sections: list[tuple[str, str, bytes]] = []

    def json(self, name: str, value: Any) -> None:
        self.sections.append((name, "json", json.dumps(value, ensure_ascii=False).encode()))

    def strs(self, name: str, values: list[str]) -> None:
        for value in values:
            if "\0" in value:
                raise ValueError(f"section {name}: a string holds NUL: {value!r}")
        self.sections.append((name, "strs", "".join(f"{v}\0" for v in values).encode()))

    def array(self, name: str, kind: str, values: Any) -> None:
        try:
            data = array(_TYPECODES[kind], values)
        except OverflowError:
            raise ValueError(f"section {name}: a value does not fit {kind}") from None
        self.sections.append((name, kind, data.tobytes()))

    def coded(self, name: str, values: list[str]) -> None:
        """Values that repeat: the distinct ones (json) and a code per value (u32)."""
        codes: dict[str, int] = {}
        numbers = [codes.setdefault(v, len(codes)) for v in values]
        self.json(f"{name}.values", list(codes))
        self.array(f"{name}.codes", "u32", numbers)

    def write(self, path: Path, header: dict[str, Any]) -> None:
        payload = bytearray()
        table = []
        for name, kind, data in self.sections:
            payload += b"\0" * (-len(payload) % 8)
            table.append((name, kind, len(payload), len(data)))
            payload += data
        header = {**header, "sections": table, "payload_sha256": hashlib.sha256(payload).hexdigest()}
        head = json.dumps(header, ensure_ascii=False).encode()
        head += b" " * (-(len(MAGIC) + 8 + len(head)) % 8)
        partial = path.with_name(path.name + ".partial")
        with open(partial, "wb") as out:
            out.write(MAGIC)
            out.write(struct.pack("<Q", len(head)))
            out.write(head)
            out.write(payload)
        os.replace(partial, path)


def _watched_files(directory: Path) -> list[Path]:
    """The files a snapshot of ``directory`` depends on: everything under it (hidden files
    aside) and the bundled table folders it inherits."""
    from namebridge.lexicon.bundle import table_folders

    def under(base: Path) -> list[Path]:
        return [p for p in base.rglob("*") if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(base).parts)]

    files = under(directory)
    for folder, base in table_folders(directory).items():
        if base.resolve() != directory.resolve():
            files += under(base / folder)
    return sorted(p.resolve() for p in files)


def _source_files(engine: "Engine") -> list[list[Any]]:
    """[path, size, sha256] of every file the lexicon was read from (staleness check)."""
    return [[str(p), p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest()]
            for p in _watched_files(Path(engine.lexicon.directory).resolve())]


def _table_files(directory: Path) -> dict[str, str]:
    """relative path -> text of every table file and reference file the tables are read with."""
    from namebridge.lexicon.bundle import table_folders

    out: dict[str, str] = {}
    for folder, base in table_folders(directory).items():
        for path in sorted(p for p in (base / folder).rglob("*") if p.is_file()):
            out[path.relative_to(base).as_posix()] = path.read_text(encoding="utf-8")
    for name in REFERENCE_FILES:
        out[name] = (directory / name).read_text(encoding="utf-8")
    return out


def write_snapshot(engine: "Engine", path: Path | str) -> dict[str, Any]:
    """Write ``engine`` (loaded from a lexicon directory) to ``path``; return the header."""
    path = Path(path)
    lexicon, index = engine.lexicon, engine.index
    aliases = lexicon.aliases
    w = _Writer()
    # the lexicon: entities, then their aliases in lexicon order (entity by entity)
    entities = list(lexicon.entities.values())
    starts = [0]
    for entity in entities:
        begin = starts[-1]
        if aliases[begin:begin + len(entity.aliases)] != entity.aliases:
            raise ValueError(f"aliases of {entity.id} are not in lexicon order")
        starts.append(begin + len(entity.aliases))
    if starts[-1] != len(aliases):
        raise ValueError("the lexicon's aliases are not its entities' aliases")
    w.strs("entity.id", [e.id for e in entities])
    w.coded("entity.type", [e.type for e in entities])
    w.strs("entity.name", [e.canonical_name for e in entities])
    w.json("entity.external_ids", [[list(x) for x in e.external_ids] for e in entities])
    w.coded("entity.gender", [e.gender for e in entities])
    w.array("entity.alias_start", "u32", starts)
    w.strs("alias.text", [a.text for a in aliases])
    for column in _ALIAS_CODED:
        w.coded(f"alias.{column}", [getattr(a, column) for a in aliases])
    w.array("alias.line", "u32", [a.line for a in aliases])
    # the index: extra entries (compounds written joined) point at the alias they index
    position_of = {id(a): i for i, a in enumerate(aliases)}
    extra = [position_of[id(a)] for a in index.aliases[len(aliases):]]
    if len(extra) != len(index.aliases) - len(aliases) or any(
            index.aliases[len(aliases) + k] is not aliases[p] for k, p in enumerate(extra)):
        raise ValueError("index entries beyond the lexicon's aliases are not lexicon aliases")
    w.array("index.extra_alias", "u32", extra)
    w.array("index.alias_token_start", "u32", accumulate([0] + [len(t) for t in index.alias_tokens]))
    w.array("index.alias_token", "u32", [v for t in index.alias_tokens for v in t])
    w.array("index.alias_entity", "u32", index.alias_entity)
    if index.entity_ids != [e.id for e in entities]:
        raise ValueError("index entity order is not lexicon order")
    # what AliasIndex derives after construction, stored so a load need not walk every alias again
    w.array("index.alias_abjad", "u8", index.alias_abjad)
    w.array("index.alias_with_initials", "u32", sorted(index.alias_with_initials))
    bags = list(index.by_bag.items())
    w.array("index.bag_start", "u32", accumulate([0] + [len(bag) for bag, _ in bags]))
    w.array("index.bag_token", "u32", [v for bag, _ in bags for v in bag])
    found = [[p] if isinstance(p, int) else p for _, p in bags]
    w.array("index.bag_alias_start", "u32", accumulate([0] + [len(f) for f in found]))
    w.array("index.bag_alias", "u32", [p for f in found for p in f])
    vocabulary = index.vocabulary
    if index.by_text != {vt.text: vid for vid, vt in enumerate(vocabulary)}:
        raise ValueError("by_text is not the vocabulary's texts")
    w.strs("vocabulary.text", [vt.text for vt in vocabulary])
    w.json("vocabulary.keys", [astuple(vt.keys) for vt in vocabulary])
    token_fields = {f.name for f in dataclasses.fields(VocabularyToken)}
    if token_fields != {"text", "keys", "weight", "postings", *_VOCABULARY_FLAGS}:
        raise ValueError(f"VocabularyToken fields {sorted(token_fields)}: list a new flag in _VOCABULARY_FLAGS")
    for flag in _VOCABULARY_FLAGS:
        w.array(f"vocabulary.{flag}", "u8", [getattr(vt, flag) for vt in vocabulary])
    w.array("vocabulary.weight", "f64", [vt.weight for vt in vocabulary])
    w.array("vocabulary.posting_start", "u32", accumulate([0] + [len(vt.postings) for vt in vocabulary]))
    w.array("vocabulary.posting", "u32", [p for vt in vocabulary for p in vt.postings])
    for name in _MAPS:
        mapping: dict[str, list[int]] = getattr(index, name)
        w.strs(f"{name}.key", list(mapping))
        w.array(f"{name}.start", "u32", accumulate([0] + [len(v) for v in mapping.values()]))
        w.array(f"{name}.value", "u32", [v for values in mapping.values() for v in values])
    directory = Path(lexicon.directory)
    w.json("lexicon", {
        "entity_types": sorted(lexicon.entity_types),
        "name_structures": lexicon.name_structures,
        "languages": lexicon.languages,
        "alias_kinds": lexicon.alias_kinds,
        "warnings": [[p.path, p.line, p.message] for p in lexicon.warnings],
        "seed_files": sorted(lexicon.seed_files),
        "tables": _table_files(directory),
        "source_files": _source_files(engine),
    })
    header = {"format": FORMAT_VERSION, "byteorder": sys.byteorder, "lexicon_version": lexicon.version, "builder": builder_hash(),
              "source_directory": str(directory.resolve()), "entities": len(entities), "aliases": len(aliases)}
    w.write(path, header)
    return header


# --- reading ------------------------------------------------------------------------


class _Reader:
    """Sections read one at a time with ``os.pread``: a load holds one section's bytes at a
    time, never the whole file (a memory map's touched pages would count in its RSS)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.fd = os.open(path, os.O_RDONLY)
            self.size = os.fstat(self.fd).st_size
        except OSError as exc:
            raise SnapshotError(path, f"cannot be read ({exc})", "pass a file made by `namebridge lexicon compile`") from None
        head = os.pread(self.fd, len(MAGIC) + 8, 0)
        if len(head) < len(MAGIC) + 8 or head[:len(MAGIC)] != MAGIC:
            self.close()
            raise SnapshotError(path, "is not a namebridge lexicon snapshot (.nbx)",
                                "pass a lexicon directory, or a file made by `namebridge lexicon compile`")
        (length,) = struct.unpack("<Q", head[len(MAGIC):])
        try:
            self.header = json.loads(os.pread(self.fd, min(length, self.size), len(MAGIC) + 8))
            self.base = len(MAGIC) + 8 + length
            self.sections = {name: (kind, offset, size) for name, kind, offset, size in self.header["sections"]}
        except (ValueError, KeyError, TypeError) as exc:
            self.close()
            raise SnapshotError(path, f"has a damaged header ({exc})", "compile it again") from None

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def verify(self) -> None:
        digest = hashlib.sha256()
        offset = self.base
        while chunk := os.pread(self.fd, 1 << 20, offset):
            digest.update(chunk)
            offset += len(chunk)
        if digest.hexdigest() != self.header.get("payload_sha256"):
            raise SnapshotError(self.path, "is corrupt (its contents do not match their checksum)",
                                "compile it again with `namebridge lexicon compile`")

    def _bytes(self, name: str, kind: str) -> bytes:
        try:
            found, offset, size = self.sections[name]
        except KeyError:
            raise SnapshotError(self.path, f"has no section {name!r}", "compile it again") from None
        if found != kind:
            raise SnapshotError(self.path, f"section {name!r} is {found}, not {kind}", "compile it again")
        data = os.pread(self.fd, size, self.base + offset)
        if len(data) != size:
            raise SnapshotError(self.path, f"section {name!r} is truncated", "compile it again")
        return data

    def json(self, name: str) -> Any:
        return json.loads(self._bytes(name, "json"))

    def strs(self, name: str) -> list[str]:
        return self._bytes(name, "strs").decode("utf-8").split("\0")[:-1]     # each string ends with NUL

    def array(self, name: str, kind: str) -> array:
        data = self._bytes(name, kind)
        out = array(_TYPECODES[kind])
        if len(data) % out.itemsize:
            raise SnapshotError(self.path, f"section {name!r} is truncated", "compile it again")
        out.frombytes(data)
        return out

    def coded(self, name: str) -> list[str]:
        values = self.json(f"{name}.values")
        return [values[c] for c in self.array(f"{name}.codes", "u32")]


def _token_keys(fields: list[Any]) -> TokenKeys:
    """A ``TokenKeys`` from its JSON fields: strings, lists of strings, lists of lists of strings."""
    return TokenKeys(*(value if not isinstance(value, list) else
                       tuple(map(tuple, value)) if value and isinstance(value[0], list) else tuple(value)
                       for value in fields))


def _check_fresh(path: Path, header: dict[str, Any], files: list[list[Any]]) -> None:
    """Refuse a snapshot whose source directory still exists and changed since."""
    source = Path(header.get("source_directory", ""))
    if not source.is_dir():
        return          # shipped elsewhere: the header's versions are all there is to check
    recorded = {p: (size, digest) for p, size, digest in files}
    try:
        present = [str(p) for p in _watched_files(source)]
    except NamebridgeError:
        present = []        # no longer a lexicon directory: every recorded file is reported below
    for name in sorted(set(present) ^ set(recorded)):
        what = "was added to" if name in present else "was removed from"
        raise SnapshotError(path, f"is stale: {name} {what} the lexicon since it was compiled",
                            "run `namebridge lexicon compile` again")
    for name in present:
        size, digest = recorded[name]
        file = Path(name)
        if file.stat().st_size != size or hashlib.sha256(file.read_bytes()).hexdigest() != digest:
            raise SnapshotError(path, f"is stale: {name} changed since it was compiled",
                                "run `namebridge lexicon compile` again")


def _materialised_tables(root: Path, tables: dict[str, str]) -> dict[str, Path]:
    """Write the stored table files under ``root``; table folder -> directory to read it from
    (the bundled lexicon when the stored files are the bundled ones, as ``load_bundle`` does)."""
    folders: dict[str, Path] = {}
    for folder in TABLE_FOLDERS:
        stored = {k: v for k, v in tables.items() if k.split("/", 1)[0] == folder}
        bundled_dir = BUNDLED_LEXICON_DIR / folder
        bundled = {p.relative_to(BUNDLED_LEXICON_DIR).as_posix(): p for p in bundled_dir.rglob("*") if p.is_file()}
        if set(bundled) == set(stored) and all(bundled[k].read_text(encoding="utf-8") == v for k, v in stored.items()):
            folders[folder] = BUNDLED_LEXICON_DIR
        else:
            folders[folder] = root
    for name, text in tables.items():
        folder = name.split("/", 1)[0]
        if name in REFERENCE_FILES or folders.get(folder) == root:
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    return folders


def load_snapshot(path: Path | str, settings: Settings) -> "Engine":
    """The engine a snapshot holds, under ``settings``; ``SnapshotError`` if it cannot be used."""
    import gc

    from namebridge.matching.engine import Engine

    path = Path(path)
    reader = _Reader(path)
    try:
        header = reader.header
        if header.get("format") != FORMAT_VERSION:
            raise SnapshotError(path, f"has format version {header.get('format')}, this namebridge reads "
                                      f"{FORMAT_VERSION}", "compile it again with this namebridge")
        if header.get("byteorder") != sys.byteorder:
            raise SnapshotError(path, f"was written on a {header.get('byteorder')}-endian machine",
                                "compile it again on this one")
        if header.get("builder") != builder_hash():
            raise SnapshotError(path, "was compiled by a different namebridge build (its keys and weights "
                                      "may differ from this one's)", "compile it again with this namebridge")
        reader.verify()
        meta = reader.json("lexicon")
        _check_fresh(path, header, meta["source_files"])
        collecting = gc.isenabled()
        gc.disable()            # millions of acyclic objects: see lexicon/loader.py
        try:
            lexicon, index = _lexicon_and_index(reader, meta, path, header)
        finally:
            if collecting:
                gc.enable()
    finally:
        reader.close()
    with tempfile.TemporaryDirectory(prefix="namebridge-nbx-") as tmp:
        folders = _materialised_tables(Path(tmp), meta["tables"])
        bundle = bundle_with_tables(Path(tmp), lexicon, folders)
    return Engine.from_bundle(bundle, settings, index=index)


def _slices(flat: list[int], start: array) -> Any:
    """``flat[start[i]:start[i + 1]]`` for each i, as lists (iterated in C, no Python per item)."""
    return map(flat.__getitem__, map(slice, start, start[1:]))


def _lexicon_and_index(reader: _Reader, meta: dict[str, Any], path: Path,
                       header: dict[str, Any]) -> tuple[Lexicon, AliasIndex]:
    ids = reader.strs("entity.id")
    types = reader.coded("entity.type")
    names = reader.strs("entity.name")
    external = [tuple(map(tuple, x)) for x in reader.json("entity.external_ids")]
    genders = reader.coded("entity.gender")
    starts = reader.array("entity.alias_start", "u32").tolist()
    alias_entity = reader.array("index.alias_entity", "u32")
    count = starts[-1]
    # the aliases stay columns: an Alias is built when something reads it (lexicon/columns.py)
    aliases = AliasColumns(entity_ids=ids, owner=alias_entity[:count], texts=reader.strs("alias.text"),
                           coded={c: (reader.json(f"alias.{c}.values"), reader.array(f"alias.{c}.codes", "u32"))
                                  for c in _ALIAS_CODED},
                           lines=reader.array("alias.line", "u32"))
    owned = map(aliases.reordered, map(range, starts, starts[1:]))
    entities = dict(zip(ids, map(Entity, ids, types, names, external, owned, genders)))
    lexicon = Lexicon(
        directory=path, entities=entities, aliases=aliases,
        entity_types=frozenset(meta["entity_types"]), name_structures=dict(meta["name_structures"]),
        languages=dict(meta["languages"]),
        alias_kinds=dict(meta["alias_kinds"]), version=header["lexicon_version"],
        warnings=tuple(Problem(p, line, m) for p, line, m in meta["warnings"]),
        seed_files=frozenset(meta["seed_files"]))

    vocabulary_texts = reader.strs("vocabulary.text")
    keys = reader.json("vocabulary.keys")
    weight = reader.array("vocabulary.weight", "f64")
    posting_start = reader.array("vocabulary.posting_start", "u32")
    postings = reader.array("vocabulary.posting", "u32")
    vocabulary = [VocabularyToken(text, _token_keys(keys[v]), False, weight[v],
                                  postings=postings[posting_start[v]:posting_start[v + 1]])
                  for v, text in enumerate(vocabulary_texts)]
    for flag in _VOCABULARY_FLAGS:
        for vt, value in zip(vocabulary, reader.array(f"vocabulary.{flag}", "u8")):
            setattr(vt, flag, bool(value))
    maps = []
    for name in _MAPS:
        start = reader.array(f"{name}.start", "u32").tolist()
        values = reader.array(f"{name}.value", "u32").tolist()     # the index holds lists
        maps.append(dict(zip(reader.strs(f"{name}.key"), _slices(values, start))))
    token_start = reader.array("index.alias_token_start", "u32").tolist()
    tokens = reader.array("index.alias_token", "u32").tolist()
    alias_tokens = list(map(tuple, _slices(tokens, token_start)))
    del tokens
    positions = array("I", range(count))
    positions.extend(reader.array("index.extra_alias", "u32"))
    # the fields AliasIndex.__post_init__ derives are read, not derived again: build it without running it
    index = object.__new__(AliasIndex)
    fields = dict(vocabulary=vocabulary, by_text=dict(zip(vocabulary_texts, range(len(vocabulary_texts)))),
                  **dict(zip(_MAPS, maps)),
                  aliases=aliases.reordered(positions), alias_tokens=alias_tokens,
                  alias_entity=alias_entity, entity_ids=list(ids),
                  alias_abjad=bytearray(reader.array("index.alias_abjad", "u8").tobytes()),
                  alias_with_initials=frozenset(reader.array("index.alias_with_initials", "u32")),
                  by_bag=_bags(reader))
    if set(fields) != {f.name for f in dataclasses.fields(AliasIndex)}:
        raise SnapshotError(path, "does not hold every field of this build's index", "compile it again")
    for name, value in fields.items():
        setattr(index, name, value)
    return lexicon, index


def _bags(reader: _Reader) -> dict[tuple[int, ...], int | list[int]]:
    """``AliasIndex.by_bag``: sorted tokens -> the alias position, or the list of them when several."""
    keys = map(tuple, _slices(reader.array("index.bag_token", "u32").tolist(), reader.array("index.bag_start", "u32")))
    alias_start = reader.array("index.bag_alias_start", "u32").tolist()
    positions = reader.array("index.bag_alias", "u32").tolist()
    found: list[int | list[int]] = list(map(positions.__getitem__, alias_start[:-1]))
    for i in compress(range(len(found)), map(operator.gt, map(operator.sub, alias_start[1:], alias_start), repeat(1))):
        found[i] = positions[alias_start[i]:alias_start[i + 1]]
    return dict(zip(keys, found))
