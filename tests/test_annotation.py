"""Mention annotation in-process: spans, suffixes and clitics per language, overlaps,
offsets on awkward text, context rules, limits.

Every assertion is on ``text[start:end]`` and the entity: offsets are code points into
the text as given, so each test also checks that the slice IS the mention.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from namebridge.annotation.annotator import Annotator
from namebridge.annotation.context import ContextLists
from namebridge.errors import DataFileError, InvalidArgument
from namebridge.matching.engine import Engine
from namebridge.settings import BUNDLED_LEXICON_DIR
from namebridge.text.normalize import bundled_tables


@pytest.fixture(scope="module")
def annotator(engine: Engine) -> Annotator:
    return Annotator(engine)


def spans(annotator: Annotator, text: str, **options: str) -> list[tuple[str, str, str]]:
    """(mention, entity, kind) of each mention; asserts every slice is the mention's text."""
    found = annotator.annotate(text, **options)
    for m in found:
        assert text[m.start:m.end] == m.text
    assert [m.start for m in found] == sorted(m.start for m in found)
    assert all(a.end <= b.start for a, b in zip(found, found[1:])), "spans overlap"
    return [(m.text, m.entity_id, m.kind) for m in found]


# --- suffixes and clitics, per language -------------------------------------------------

@pytest.mark.parametrize("text, mention, entity", [
    # Turkish: suffix after an apostrophe (both apostrophes), attached suffix, plural + case
    ("Kazakistan'ın kararı açıklandı.", "Kazakistan'ın", "country:kz"),
    ("Tokayev’in ziyareti sürüyor.", "Tokayev’in", "person:kassym-jomart-tokayev"),
    ("Liderler Orta Asya Zirvesinde buluştu.", "Orta Asya Zirvesinde", "agreement:c5-plus-1-summit-2025"),
    ("Bakan ABD'YLE görüştü.", "ABD'YLE", "country:us"),
    # Kazakh: case endings attached, two layers, after a hyphen on an acronym
    ("Делегация Вашингтонға барды.", "Вашингтонға", "city:washington"),
    ("Ақ үйдегілер мәлімдеді.", "Ақ үйдегілер", "building:white-house"),
    ("АҚШ-тың ұстанымы белгілі.", "АҚШ-тың", "country:us"),
    ("Қасым-Жомарт Тоқаевтың сапары басталды.", "Қасым-Жомарт Тоқаевтың", "person:kassym-jomart-tokayev"),
    # Uzbek: the lexicon writes Oʻzbekiston with U+02BB; texts write ‘ or ' (uz case endings)
    ("O‘zbekistonning prezidenti keldi.", "O‘zbekistonning", "country:uz"),
    ("Delegatsiya O'zbekistonga bordi.", "O'zbekistonga", "country:uz"),
    ("Oʻzbekistonda saylov.", "Oʻzbekistonda", "country:uz"),
    # Russian case endings (the ru list)
    ("Переговоры с Казахстаном завершены.", "Казахстаном", "country:kz"),
    # Arabic: conjunction and preposition proclitics, the article, a proclitic apart
    ("وصل الوفد وكازاخستان تنتظر.", "وكازاخستان", "country:kz"),
    ("استقبل الرئيس في البيت الأبيض بواشنطن ضيوفه.", "بواشنطن", "city:washington"),
    ("يستخدم الجميع الواتساب يوميا.", "الواتساب", "org:whatsapp"),
    # Persian: a name with the ZWNJ plural written inside another alias
    ("توافق‌های ابراهیم امضا شد.", "توافق‌های ابراهیم", "agreement:abraham-accords"),
])
def test_a_span_covers_the_word_with_its_suffixes_and_proclitics(annotator, text, mention, entity):
    found = spans(annotator, text)
    assert (mention, entity) in [(m, e) for m, e, _k in found], found


def test_inflected_mentions_say_so_and_bare_ones_do_not(annotator):
    kinds = {m: k for m, _e, k in spans(annotator, "Kazakistan ve Kazakistan'ın dostu Tokayev ile Tokayev’in.")}
    assert kinds == {"Kazakistan": "name", "Kazakistan'ın": "inflected", "Tokayev": "partial",
                     "Tokayev’in": "partial+inflected"}


def test_adjectives_and_demonyms_are_not_mentions(annotator):
    assert spans(annotator, "قال المسؤول الكازاخستاني إن الحكومة الكازاخستانية وافقت.") == []
    assert spans(annotator, "سفیر آمریکایی گفت.") == []


# --- multi-token names, titles, overlaps -------------------------------------------------

def test_a_multi_token_name_is_one_mention_and_a_title_is_not_merged(annotator):
    found = spans(annotator, "Kazakistan Cumhurbaşkanı Kasım Cömert Tokayev konuştu.")
    assert found == [("Kazakistan", "country:kz", "name"),
                     ("Kasım Cömert Tokayev", "person:kassym-jomart-tokayev", "name")]


def test_a_title_listed_as_an_epithet_before_the_name_leaves_its_country(annotator):
    found = spans(annotator, "ABD Başkanı Donald Trump açıkladı.")
    assert found == [("ABD", "country:us", "acronym"), ("Donald Trump", "person:donald-trump", "name")]
    alone = spans(annotator, "ABD başkanı, ayrıca yeni bir anlaşma duyurdu.")
    assert alone == [("ABD başkanı", "person:donald-trump", "epithet")]


def test_overlapping_candidates_resolve_to_the_longest_span(annotator):
    # "Orta Asya" (the region) lies inside "Orta Asya Zirvesi" (the summit); "Asya" alone is nothing
    found = spans(annotator, "Orta Asya Zirvesi ve Orta Asya ülkeleri.")
    assert found == [("Orta Asya Zirvesi", "agreement:c5-plus-1-summit-2025", "name"),
                     ("Orta Asya", "region:central-asia", "name")]
    assert spans(annotator, "Güney ve Orta Asya Özel Temsilcisi") == [
        ("Güney ve Orta Asya", "region:south-and-central-asia", "name")]


# --- partial mentions, acronyms, ordinary words, the document pass ------------------------

def test_partial_mentions_after_the_full_name_are_the_same_person(annotator):
    found = spans(annotator, "Donald Trump konuştu. Trump daha sonra Trump’ın planını anlattı.")
    assert {e for _m, e, _k in found} == {"person:donald-trump"}
    assert [k for _m, _e, k in found] == ["name", "partial", "partial+inflected"]


@pytest.mark.parametrize("text, mention, entity", [
    ("ABD açıklama yaptı.", "ABD", "country:us"),
    ("АҚШ мәлімдеді.", "АҚШ", "country:us"),
    ("Израильдің БАӘ-мен қарым-қатынасы.", "БАӘ-мен", "country:ae"),
    ("Officials in the U.S. said so.", "U.S.", "country:us"),
])
def test_acronyms_resolve(annotator, text, mention, entity):
    assert (mention, entity) in [(m, e) for m, e, _k in spans(annotator, text)]


def test_an_acronym_is_met_only_in_capitals(annotator):
    assert spans(annotator, "Tell us about it, us and them.") == []


def test_an_ordinary_word_needs_evidence(annotator):
    # fas (the hat) in lower case, with no other mention of Morocco: not a mention
    assert spans(annotator, "Başına kırmızı bir fas taktı.") == []
    # Turkish writes an apostrophe only after a proper name; a list of countries is context too
    assert ("Fas’ın", "country:ma") in [(m, e) for m, e, _k in spans(annotator, "Fas’ın başkenti Rabat.")]
    listed = spans(annotator, "Bahreyn ve Fas anlaşmayı imzaladı.")
    assert ("Fas", "country:ma") in [(m, e) for m, e, _k in listed]
    # الشرق is "the east" in a sentence, Asharq (the channel) when quoted
    assert spans(annotator, "تقع المدينة في الشرق من البلاد.") == []
    quoted = spans(annotator, 'وقال مصدر لـ"الشرق" إن الاجتماع انتهى.')
    assert quoted == [('لـ"الشرق', "org:asharq-news", "inflected")]


def test_a_capital_names_the_place_with_a_place_marker_and_the_government_without(annotator):
    assert spans(annotator, "Делегация Вашингтонға барды. Енді Вашингтон мәлімдеді.") == [
        ("Вашингтонға", "city:washington", "inflected"), ("Вашингтон", "country:us", "metonym")]
    assert spans(annotator, "عقد اجتماع في واشنطن، وقالت واشنطن إنها ترحب.") == [
        ("واشنطن", "city:washington", "name"), ("واشنطن", "country:us", "metonym")]


def test_the_same_surface_resolves_the_same_way_throughout_a_text(annotator):
    text = "Kazakistan açıklama yaptı. " * 3 + "Tokayev ve Kazakistan."
    found = spans(annotator, text)
    assert {e for m, e, _k in found if m == "Kazakistan"} == {"country:kz"}


# --- offsets on awkward text ---------------------------------------------------------------

@pytest.mark.parametrize("text, mention", [
    ("Hello\r\nKazakistan'ın\r\nyolu", "Kazakistan'ın"),                      # CRLF line ends
    ("🇰🇿🇺🇸 Kazakhstan 🎉 news", "Kazakhstan"),                                 # emoji before and after
    ("👍🏽Kazakhstan👍🏽", "Kazakhstan"),                                           # emoji touching the name
    ("O\u0308zbekistan ve S\u0327evket Mirziyoyev", "O\u0308zbekistan"),            # decomposed Ö (NFD)
    ("O\u0308zbekistan ve S\u0327evket Mirziyoyev", "S\u0327evket Mirziyoyev"),     # decomposed Ş
    ("كَازَاخِسْتَان وإسرائيل", "كَازَاخِسْتَان"),                                    # harakat on every letter
    ("توافق\u200cهای ابراهیم", "توافق\u200cهای ابراهیم"),                        # ZWNJ inside a Persian word
    ("\u200fكازاخستان\u200f وإسرائيل", "كازاخستان"),                            # RLM bidi marks around a word
    ("كازاخـــستان وإسرائيل", "كازاخـــستان"),                                   # tatweel inside
    ("a\r\nb\r\nc\r\n\r\nوكازاخستان", "وكازاخستان"),
])
def test_offsets_are_code_points_into_the_text_as_given(annotator, text, mention):
    found = annotator.annotate(text)
    assert mention in [m.text for m in found], [m.text for m in found]
    m = next(m for m in found if m.text == mention)
    assert text[m.start:m.end] == mention
    assert m.start == text.index(mention)


# --- limits and errors -----------------------------------------------------------------------

def test_empty_and_blank_texts_have_no_mentions(annotator):
    assert annotator.annotate("") == []
    assert annotator.annotate(" \r\n\t ") == []


def test_a_text_over_the_limit_is_refused_naming_text(annotator):
    limit = annotator.engine.settings.max_annotate_chars
    assert limit == 1_048_576
    with pytest.raises(InvalidArgument) as caught:
        annotator.annotate("a" * (limit + 1))
    assert caught.value.field == "text"
    assert str(limit) in caught.value.message


def test_an_unknown_language_hint_is_refused_naming_language(annotator):
    with pytest.raises(InvalidArgument) as caught:
        annotator.annotate("Kazakistan", language="xx-nope")
    assert caught.value.field == "language"


def test_a_language_hint_is_used(annotator):
    found = annotator.annotate("Вашингтонға барды.", language="kk")
    assert [(m.text, m.language) for m in found] == [("Вашингтонға", "kk")]


def test_bad_context_lists_are_reported_by_file_and_line(tmp_path: Path):
    source = BUNDLED_LEXICON_DIR / "tokens"
    for name in ("names_also_words.tsv", "adjective_endings.tsv", "list_words.tsv"):
        (tmp_path / name).write_text((source / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "place_markers.tsv").write_text(
        "marker\tposition\tlanguage\tnote\nға\tsuffix\tkk\tdative\nға\tsuffix\tkk\tagain\nв\tafter\tru\tx\n",
        encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        ContextLists.load(tmp_path, bundled_tables())
    shown = str(caught.value)
    assert "place_markers.tsv:3" in shown and "duplicate" in shown
    assert "place_markers.tsv:4" in shown and "position" in shown
