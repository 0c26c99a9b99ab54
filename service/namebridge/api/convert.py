"""Between ``namebridge.matching.results`` objects and ``namebridge.v1`` protobuf messages.

The server converts only what it returns (the candidates the engine kept);
the typed client converts back, so a pipeline gets the same ``Resolution`` it
would get in-process. Both directions live here so one file shows the whole
mapping; ``tests/test_client.py`` checks that a round trip is lossless.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import PurePath
from typing import Any

from namebridge.annotation.mentions import Mention
from namebridge.lexicon.model import Alias, Entity
from namebridge.matching.results import Candidate, Decision, QueryAnalysis, Resolution, TokenMatch, Transliteration
from namebridge.v1 import resolver_pb2 as pb

_DECISION_TO_PB = {
    Decision.MATCH: pb.DECISION_MATCH,
    Decision.AMBIGUOUS: pb.DECISION_AMBIGUOUS,
    Decision.NO_MATCH: pb.DECISION_NO_MATCH,
}
_DECISION_FROM_PB = {value: key for key, value in _DECISION_TO_PB.items()}


# --- results -> protobuf (server) --------------------------------------------

def candidate_to_proto(candidate: Candidate) -> pb.Candidate:
    return pb.Candidate(
        entity_id=candidate.entity_id,
        canonical_name=candidate.canonical_name,
        entity_type=candidate.entity_type,
        score=candidate.score,
        matched_alias=candidate.matched_alias,
        alias_language=candidate.alias_language,
        alias_kind=candidate.alias_kind,
        alias_source=candidate.alias_source,
        explanation=candidate.explanation(),
        token_matches=[
            pb.TokenMatch(query_token=m.query_token, alias_token=m.alias_token, key=m.key,
                          similarity=m.similarity, weight=m.weight)
            for m in candidate.token_matches
        ],
        features=[pb.Feature(name=name, value=value) for name, value in candidate.features],
    )


def resolution_to_proto(resolution: Resolution) -> pb.Resolution:
    query = resolution.query
    return pb.Resolution(
        query=pb.QueryAnalysis(
            original=query.original, normalized=query.normalized, romanized=query.romanized,
            tokens=query.tokens, script=query.script, language=query.language,
        ),
        decision=_DECISION_TO_PB.get(resolution.decision, pb.DECISION_UNSPECIFIED),
        entity_id=resolution.entity_id or "",
        score=resolution.score,
        candidates=[candidate_to_proto(c) for c in resolution.candidates],
        lexicon_version=resolution.lexicon_version,
    )


def transliteration_to_proto(result: Transliteration) -> pb.TransliterateResponse:
    return pb.TransliterateResponse(
        original=result.original, normalized=result.normalized, romanized=result.romanized,
        tokens=[pb.TransliteratedToken(token=t, romanized=r, script=s, language=lang)
                for t, r, s, lang in result.tokens],
        script=result.script, language=result.language, scheme=result.scheme,
    )


def entity_to_proto(entity: Entity) -> pb.Entity:
    return pb.Entity(
        id=entity.id, type=entity.type, canonical_name=entity.canonical_name,
        external_ids=[pb.ExternalId(scheme=s, value=v) for s, v in entity.external_ids],
        aliases=[pb.Alias(text=a.text, language=a.language, kind=a.kind, source=a.source, tier=a.tier)
                 for a in entity.aliases],
    )


def lexicon_name(lexicon_dir: str) -> str:
    """What a caller learns of where the lexicon lives: the last part of its directory."""
    return PurePath(lexicon_dir).name


def info_to_proto(info: Any, *, entity_types: frozenset[str], max_batch_names: int,
                  max_name_length: int, max_message_bytes: int) -> pb.GetLexiconInfoResponse:
    """``Engine.info()`` plus the server's limits. No filesystem path goes out: the
    lexicon is named by its directory's last part, and identified by its version."""
    settings = dict(info.settings)
    if "lexicon_dir" in settings:
        settings["lexicon_dir"] = lexicon_name(settings["lexicon_dir"])
    response = pb.GetLexiconInfoResponse(
        version=info.version,
        entity_count=info.entity_count,
        alias_count=info.alias_count,
        counts_by_type=dict(info.counts_by_type),
        counts_by_language=dict(info.counts_by_language),
        lexicon_dir=lexicon_name(str(info.lexicon_dir)),
        settings=settings,
        entity_types=sorted(entity_types),
        max_batch_names=max_batch_names,
        max_name_length=max_name_length,
        max_message_bytes=max_message_bytes,
    )
    loaded_at = info.loaded_at
    if loaded_at.tzinfo is None:
        loaded_at = loaded_at.replace(tzinfo=timezone.utc)
    response.loaded_at.FromDatetime(loaded_at.astimezone(timezone.utc))
    return response


# --- protobuf -> results (client) --------------------------------------------

def candidate_from_proto(message: pb.Candidate) -> Candidate:
    return Candidate(
        entity_id=message.entity_id,
        canonical_name=message.canonical_name,
        entity_type=message.entity_type,
        score=message.score,
        matched_alias=message.matched_alias,
        alias_language=message.alias_language,
        alias_kind=message.alias_kind,
        alias_source=message.alias_source,
        token_matches=tuple(
            TokenMatch(query_token=m.query_token, alias_token=m.alias_token, key=m.key,
                       similarity=m.similarity, weight=m.weight)
            for m in message.token_matches
        ),
        features=tuple((f.name, f.value) for f in message.features),
    )


def resolution_from_proto(message: pb.Resolution) -> Resolution:
    query = message.query
    return Resolution(
        query=QueryAnalysis(
            original=query.original, normalized=query.normalized, romanized=query.romanized,
            tokens=tuple(query.tokens), script=query.script, language=query.language,
        ),
        decision=_DECISION_FROM_PB[message.decision],
        candidates=tuple(candidate_from_proto(c) for c in message.candidates),
        lexicon_version=message.lexicon_version,
        score=message.score,
    )


def mention_to_proto(mention: Mention) -> pb.Mention:
    return pb.Mention(start=mention.start, end=mention.end, text=mention.text, entity_id=mention.entity_id,
                      canonical_name=mention.canonical_name, entity_type=mention.entity_type,
                      score=mention.score, language=mention.language, script=mention.script,
                      kind=mention.kind, matched_alias=mention.matched_alias)


def mention_from_proto(message: pb.Mention) -> Mention:
    return Mention(start=message.start, end=message.end, text=message.text, entity_id=message.entity_id,
                   canonical_name=message.canonical_name, entity_type=message.entity_type,
                   score=message.score, language=message.language, script=message.script,
                   kind=message.kind, matched_alias=message.matched_alias)


def transliteration_from_proto(message: pb.TransliterateResponse) -> Transliteration:
    return Transliteration(
        original=message.original, normalized=message.normalized, romanized=message.romanized,
        tokens=tuple((t.token, t.romanized, t.script, t.language) for t in message.tokens),
        script=message.script, language=message.language, scheme=message.scheme,
    )


def entity_from_proto(message: pb.Entity) -> Entity:
    return Entity(
        id=message.id, type=message.type, canonical_name=message.canonical_name,
        external_ids=tuple((x.scheme, x.value) for x in message.external_ids),
        aliases=tuple(Alias(entity_id=message.id, text=a.text, language=a.language, kind=a.kind,
                            source=a.source, tier=a.tier) for a in message.aliases),
    )


def loaded_at_from_proto(message: pb.GetLexiconInfoResponse) -> datetime:
    return message.loaded_at.ToDatetime(tzinfo=timezone.utc)
