"""Caches and fast paths of the title classifier: they change the speed, never the labels."""

from __future__ import annotations

import random
import re

import pytest

from leadpact.enrichment import title_lexicon
from leadpact.enrichment.title_lexicon import Reading
from leadpact.enrichment.titles import (
    LEXICON,
    classify_title,
    classify_uncached,
    clear_caches,
)

TITLES = [
    "VP, Finance", "Leiterin Einkauf (m/w/d)", "Chief of Staff to the CEO",
    "Senior Vice President, Operati", "Einkaufsleiterin", "Geschaeftsfuehrer",
    "Key Account Manager bei Siemens AG", "Head of Sales - DACH", "Marketing Manger",
    "Board Member, CFO / Asset Management", "Gerente de Ventas en Acme", "Dir. Mktg & Comms",
    "Independent Non-Executive Director", "Responsable Achats H/F", "Werkstudentin Marketing",
    "Attorney at Law", "CEO @ Acme | Board Member", "Head of Sales a.i.", "N/A", "",
]


def test_given_cleared_caches_then_every_title_gets_the_same_labels_as_with_warm_caches() -> None:
    warm = [classify_title(t) for t in TITLES]
    clear_caches()
    assert [classify_uncached(t) for t in TITLES] == warm
    clear_caches()
    assert [classify_title(t) for t in TITLES] == warm


def test_given_clear_caches_then_the_title_caches_are_empty() -> None:
    classify_title("VP, Finance")
    clear_caches()
    from leadpact.enrichment import titles

    assert titles._classify_raw.cache_info().currsize == 0
    assert titles._classify_cleaned.cache_info().currsize == 0
    assert titles._ONE_JOB_ROLES == {}


def test_given_one_job_titles_with_the_same_labels_then_each_keeps_its_own_confidence() -> None:
    # A one-job title's answer is memoised per labels and counts: a typo fixed or a word
    # nobody knows lowers the confidence, so they must be part of what it is kept by.
    same_labels = ["Head of Marketing", "Head of Marketnig", "Head of Marketing Zorblat",
                   "Head of Makreting Zorblat", "Head of Marketing Zorblat Quuxly"]
    cold = []
    for title in same_labels:
        clear_caches()
        cold.append(classify_title(title))
    clear_caches()
    warm = [classify_title(title) for title in same_labels]
    assert warm == cold
    assert len({role.confidence for role in warm}) >= 3
    assert len({(role.seniority, role.function, role.role) for role in warm}) == 1


def test_given_many_one_job_labels_then_their_memo_stays_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from leadpact.enrichment import titles

    monkeypatch.setattr(titles, "_CACHE_SIZE", 5)
    clear_caches()
    for title in ["VP Sales", "Head of IT", "CFO", "Buyer", "Data Engineer", "Intern",
                  "Legal Counsel", "Director Marketing", "HR Manager", "CTO"]:
        classify_title(title)
        assert len(titles._ONE_JOB_ROLES) <= 5
    clear_caches()


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        # each line needs a regex that clean() runs only when its characters are there
        ("Attorney at Law", "attorney"),
        ("Head of Sales chez le Groupe X | EMEA", "head of sales | emea"),
        ("Responsabile Acquisti presso la Banca X", "responsabile acquisti"),
        ("VP Sales at Acme", "vp sales"),
        ("CEO @ Acme | Board Member", "ceo | board member"),
        ("Einkäufer*in", "einkaufer"),
        ("Directeur·rice Marketing", "directeur marketing"),
        ("Leiter:in Vertrieb", "leiter vertrieb"),
        ("Dir. R&D", "dir. rnd"),
        ("Head of Sales a.i.", "head of sales interim"),
        ("Ingénieure d'affaires", "ingenieure affaires"),
    ],
)
def test_given_noise_when_cleaned_then_it_is_removed(raw: str, cleaned: str) -> None:
    assert LEXICON.normaliser.clean(raw) == cleaned


def _by_family(reading: Reading) -> dict[str, list[object]]:
    """Hits per family, in order: the only order the rules depend on."""
    families: dict[str, list[object]] = {}
    for hit in reading.hits:
        families.setdefault(hit.cue.family, []).append(hit)
    return families


@pytest.mark.parametrize("title", TITLES + ["Senior Software Engineer III", "Head of IT"])
def test_given_a_piece_then_the_word_by_word_path_agrees_with_the_phrase_path(
    title: str,
) -> None:
    normaliser = LEXICON.normaliser
    for piece in normaliser.pieces(normaliser.clean(title)):
        fast = LEXICON.read(piece.words)
        entries = [LEXICON.word_cues(w) for w in fast.words]
        general = LEXICON._read_phrases(fast.words, entries, fast.corrected)
        assert _by_family(fast) == _by_family(general)
        assert fast._replace(hits=()) == general._replace(hits=())


def test_given_a_piece_longer_than_the_preset_positions_then_hits_point_at_each_word() -> None:
    words = ("manager",) * (title_lexicon._PRESET_POSITIONS + 3)
    reading = LEXICON.read(words)
    assert [(h.start, h.end) for h in reading.hits] == [(i, i + 1) for i in range(len(words))]


def test_given_many_new_words_then_the_word_memo_stays_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(title_lexicon, "_TOKEN_CACHE_LIMIT", 10)
    clear_caches()
    for number in range(50):
        LEXICON.read((f"zzqword{number}",))
    assert len(LEXICON._word_cues) <= 11
    clear_caches()


def _stem_regex(stems: dict[str, tuple[set[str], list[object]]]) -> re.Pattern[str] | None:
    """The stems as one regex, the plain definition the stem index must equal: an
    alternation, longest first, each stem anchored as its lexicon term says ("leiter*"
    a prefix, "*leiter" a suffix, "*leiter*" anywhere)."""
    alternatives = []
    for stem, (anchors, _) in sorted(stems.items(), key=lambda kv: -len(kv[0])):
        text = re.escape(stem)
        if "infix" in anchors:
            alternatives.append(text)
            continue
        forms = [{"prefix": "^" + text, "suffix": text + "$"}[a] for a in sorted(anchors)]
        alternatives.append(forms[0] if len(forms) == 1 else f"(?:{'|'.join(forms)})")
    return re.compile("|".join(alternatives)) if alternatives else None


def test_given_any_word_then_the_stem_index_and_memo_agree_with_the_full_regex() -> None:
    # The index tries only the stems that start with the letters at each position of a
    # word, and skips words where no stem can start; it must find what the regex of all
    # stems finds, cold or memoised.
    rng = random.Random(7)
    stems = [stem for f in LEXICON.families.values() for stem in f._stems]
    compounds = [rng.choice(["", "", "x", "ab"])
                 + "".join(rng.choice(stems) for _ in range(rng.randint(1, 3)))
                 + rng.choice(["", "", "in", "s", "x"]) for _ in range(3_000)]
    words = [*LEXICON.vocabulary, *stems, *compounds, "einkaufsleiterin", "vertriebsleiter",
             "norvexka", "bauleiter", "edvleiter", "sapberater", "xyz", "ab",
             "geschaftsfuhrerin"]
    patterns = [_stem_regex(f._stems) for f in LEXICON.families.values()]
    clear_caches()
    for _ in range(2):  # cold, then from the memo
        for word in words:
            expected = tuple(
                tuple((m.group(), tuple(f._stems[m.group()][1])) for m in pattern.finditer(word))
                if pattern is not None and len(word) > 2 else ()
                for f, pattern in zip(LEXICON.families.values(), patterns, strict=True))
            assert LEXICON.stems_of(word) == expected, word
    clear_caches()
    assert LEXICON._stems_memo == {}


def test_given_one_typo_of_a_known_word_then_the_speller_finds_what_a_scan_of_the_vocabulary_finds(
) -> None:
    # The speller looks candidates up by shared deletions, with set operations; a scan of
    # every vocabulary word one edit away (same first letter, shortest, then first in
    # order) is what it must equal.
    from leadpact.enrichment.title_spelling import _one_edit_apart

    speller = LEXICON._speller
    vocabulary = speller.vocabulary
    rng = random.Random(4)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["norvex", "kalabri", "zentekmar", "12345"]
    for _ in range(600):
        known = rng.choice(vocabulary)
        i = rng.randrange(len(known))
        words.append(rng.choice([
            known[:i] + known[i + 1:], known[:i] + rng.choice(letters) + known[i:],
            known[:i] + rng.choice(letters) + known[i + 1:],
            known[:i] + known[i + 1:i + 2] + known[i:i + 1] + known[i + 2:],
        ]))

    def scan(word: str) -> str | None:
        if len(word) < 5 or not word.isalpha():
            return None
        near = sorted(v for v in vocabulary if v[0] == word[0] and _one_edit_apart(word, v))
        return min(near, key=len) if near else None

    corrected = [w for w in words if speller.correct(w) is not None]
    assert [speller.correct(w) for w in words] == [scan(w) for w in words]
    assert len(corrected) > 300  # typos of known words are mostly fixed


@pytest.mark.parametrize("word", ["norvexkala", "gmbh", "4711", "qxz", "zzzq"])
def test_given_a_word_no_lexicon_knows_then_its_shared_entry_says_what_its_own_would(
    word: str,
) -> None:
    clear_caches()
    entry = LEXICON.word_cues(word)
    assert not any(entry.own) and not any(entry.longest) and not any(entry.at)
    assert entry.lone == (word not in LEXICON.filler and not word.isdigit())
    assert entry.hits_at(12) == ()
    assert LEXICON.read((word,)).hits == ()
