"""Job-title noise handling: fold, strip what is not a title, split into word pieces.

A CRM title arrives as people type it: "Leiterin Einkauf (m/w/d) @ Acme GmbH",
"Directeur·rice Marketing – EMEA 🚀", "VP, Finance & Controller". This module turns that
into pieces of plain words the lexicon can match: casefolded, accents stripped, gender
suffixes, emoji and company fragments removed, split where one title ends and another may
begin (`,` `/` `&` `|` " - " "and/und/et/y/e") so the classifier can label each part.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import NamedTuple

# Longer than any real title; such text is a note or a pasted document, not a job title.
MAX_TITLE_CHARS = 300

_COMBINING = re.compile(r"[\u0300-\u036f]")
_SPECIAL_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ı": "i", "þ": "th", "ð": "d",
     "’": "'", "‘": "'", "`": "'", "´": "'", "–": " - ", "—": " - ", "•": "|", "►": "|",
     "»": "|", "›": "|", "…": " ", "\u00a0": " "}
)
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe00-\ufe0f\u200b-\u200f"
    "\u2300-\u23ff\u2190-\u21ff\u25a0-\u25ff\U000e0000-\U000e007f\u2122\u00ae\u00a9]"
)
# German ä/ö/ü are often typed ae/oe/ue ("Geschaeftsfuehrer"); both fold to a/o/u.
_UMLAUT_SPELLING = re.compile(r"(?<=[a-z])([aou])e")

# Gender marks: "(m/w/d)", "(H/F)", "m/f/x", "/in", "*innen", "(e)", "/a", "·rice".
_GENDER_LETTERS = r"(?:[mwfdhxv]|div|divers|i|a)"
_GENDER_GROUP = re.compile(
    r"[(\[]\s*(?:" + _GENDER_LETTERS + r"\s*[/|,]\s*)+" + _GENDER_LETTERS + r"\s*[)\]]"
    r"|[(\[]\s*(?:all genders|alle geschlechter|gn\*?|genderneutral|[mwfdhx]|in|innen|e|es"
    r"|a|as|o|os|ne|ve|rice|trice|ice|ere|euse|fe|ra|ora|a\s*/\s*o|o\s*/\s*a)\s*[)\]]"
)
_GENDER_BARE = re.compile(
    r"(?<![\w/])[mwfdhxv]\s*[/|]\s*[mwfdhxv](?:\s*[/|]\s*(?:[mwfdhxv]|div|divers))*(?![\w/])"
)
_GENDER_ATTACHED = re.compile(
    r"(?<=[a-z])\s*(?:/|\*|:|_|·|\.)\s*-?(?:in|innen|e|es|a|as|o|os|ne|ve|rice|trice|ice"
    r"|ere|euse|ora|ra|eira|essa|frau|ffrau|fe)(?![a-z&-])"
)
_ELISION = re.compile(r"\b(?:d|l|dell|dall|nell|all|sull|un|qu|j|s|c|n)'")
_INTERIM_AI = re.compile(r"\b(?:a\.\s?i\.?|ad int\.?)(?![a-z])")
_DOTTED_ABBREVIATION = re.compile(r"\b(?:[a-z]\.){2,}")
_AT_LAW = re.compile(r"\bat (?:law|large)\b")
_AMPERSAND_WORD = re.compile(r"(?<![a-z])([a-z]{1,4})\s?([&+])\s?([a-z]{1,4})(?![a-z])")
# One capturing group around the whole pattern: split() returns text, separator, text...
# (" - " between words, a separator character, a dash at either end; the two that start
# with a space share it, so most positions fail at the first test).
_SEPARATOR = re.compile(r"(\s(?:\s*[-~]+\s+|-$)|[|;,/\\&+:()\[\]{}<>]|^-\s)")
_SEPARATOR_CHARS = frozenset("-~|;,/\\&+:()[]{}<>")  # a title with none is one chunk
_SOFT_OPENERS = frozenset("([{)]}")
_WORD = re.compile(r"[^\W_]+")
# Cheap tests that let clean() skip a regex that cannot match.
_ATTACHED_MARK = re.compile(r"[/*:_·.]")


def fold(text: str) -> str:
    """Casefold and strip accents ("Geschäftsführerin" → "geschaftsfuhrerin")."""
    text = text.casefold()
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
        text = text.translate(_SPECIAL_LETTERS)
    return text


class Piece(NamedTuple):
    """One stretch of a title between separators, as lexicon words.

    `soft` pieces (in parentheses, after "en"/"in"/"em") qualify the piece before them and
    are never a job title of their own. `tag` pieces follow a bar ("IT Director | Cloud |
    Digital Transformation"): a headline's keywords, which may be a specialty, not the job."""

    words: tuple[str, ...]
    soft: bool
    text: str
    tag: bool = False


class Normaliser:
    """Cleans and splits titles with the noise lists of lexicon/noise.yaml."""

    __slots__ = (
        "stopwords", "conjunctions", "soft_markers", "rewrites", "placeholders", "slogan_words",
        "_ampersand_words", "_company_cut", "_company_words", "_joiners", "_replaced",
        "_placeholder_starts",
    )

    def __init__(self, noise: Mapping[str, object]) -> None:
        self.stopwords = frozenset(fold(w) for w in _strings(noise, "stopwords"))
        self.conjunctions = frozenset(fold(w) for w in _strings(noise, "conjunctions"))
        self.soft_markers = frozenset(fold(w) for w in _strings(noise, "soft_markers"))
        self._joiners = self.conjunctions | self.soft_markers
        self.rewrites: dict[str, tuple[str, ...]] = {}
        for typo, meant in _mapping(noise, "rewrites").items():
            words = tuple(_WORD.findall(fold(meant)))
            self.rewrites[fold(typo).replace("-", "")] = words
        # What words() puts for a word that is a stop-word (nothing) or has a rewrite.
        self._replaced = {w: tuple(r for r in self.rewrites.get(w, ()) if r not in self.stopwords)
                          for w in self.rewrites.keys() | self.stopwords}
        self.placeholders = frozenset(
            " ".join(_WORD.findall(fold(p))) for p in _strings(noise, "placeholders")
        )
        self._placeholder_starts = frozenset(p.split(" ")[0] for p in self.placeholders)
        self.slogan_words = frozenset(fold(w) for w in _strings(noise, "slogan_words"))
        self._ampersand_words = {
            fold(k): fold(v) for k, v in _mapping(noise, "ampersand_words").items()
        }
        markers = sorted((fold(m) for m in _strings(noise, "company_markers")), key=len)
        marker_words = "|".join(re.escape(m) for m in reversed(markers) if m != "@")
        self._company_cut = re.compile(rf"\s*@.*?(?=\||$)|\s(?:{marker_words})\s.*?(?=\||$)")
        # A marker can only match where its first word is a word of the title.
        self._company_words = frozenset(m.split()[0] for m in markers if m.strip() != "@")

    @staticmethod
    def umlaut_form(word: str) -> str:
        """German ä/ö/ü typed as ae/oe/ue ("Geschaeftsfuehrer") in their folded form."""
        if "ae" not in word and "oe" not in word and "ue" not in word:
            return word  # most words: nothing to replace, no regex to run
        return _UMLAUT_SPELLING.sub(r"\1", word)

    def clean(self, raw: str) -> str:
        """Folded title with gender marks, emoji, elisions and company fragments removed;
        separators are kept for `pieces`."""
        # Each regex runs only when the characters it needs are there: most titles have
        # no brackets, slashes or company markers, and a skipped sub costs nothing.
        text = raw.casefold() if raw.isascii() else fold(_EMOJI.sub(" ", raw))
        if "(" in text or "[" in text:
            text = _GENDER_GROUP.sub(" ", text)
        if "/" in text or "|" in text:
            text = _GENDER_BARE.sub(" ", text)
        if _ATTACHED_MARK.search(text):
            text = _GENDER_ATTACHED.sub("", text).replace("·", " | ")
        if "'" in text:
            text = _ELISION.sub("", text)
        if "." in text:
            text = _INTERIM_AI.sub(" interim ", text)
            text = _DOTTED_ABBREVIATION.sub(lambda m: m.group().replace(".", ""), text)
            text = text.replace("...", " ")
        if "at l" in text:
            text = _AT_LAW.sub("", text)
        if "@" in text or not self._company_words.isdisjoint(text.split()):
            text = self._company_cut.sub(" ", text)
        if "&" in text or "+" in text:
            text = _AMPERSAND_WORD.sub(self._ampersand_word, text)
        return " ".join(text.split())

    def is_placeholder(self, cleaned: str) -> bool:
        # Most titles start with a word no placeholder starts with and that is no number:
        # their first word settles it without splitting the whole title.
        found = _WORD.search(cleaned)
        if found is None:
            return True
        first = found.group()
        if first not in self._placeholder_starts and not first.isdecimal():
            return False
        joined = " ".join(_WORD.findall(cleaned))
        # isdecimal: only digits (Unicode Nd, as the regex \d), e.g. "12345"
        return not joined or joined in self.placeholders or joined.replace(" ", "").isdecimal()

    def pieces(self, cleaned: str) -> tuple[Piece, ...]:
        """Split a cleaned title where one job title may end and another begin."""
        chunks = [cleaned] if _SEPARATOR_CHARS.isdisjoint(cleaned) else _SEPARATOR.split(cleaned)
        result: list[Piece] = []
        soft = tag = False
        for index, chunk in enumerate(chunks):
            stripped = chunk.strip()
            if index % 2:  # a separator: an opening or closing bracket makes what follows soft
                soft = stripped in _SOFT_OPENERS
                tag = stripped == "|"
            elif stripped in ("-", "~"):
                soft = False
            elif stripped:
                self._split_on_words(stripped, soft, result, tag)
                soft = tag = False
        return tuple(result)

    def words(self, fragment: str) -> tuple[str, ...]:
        """Lexicon words of a fragment: stop-words dropped, typos and abbreviations
        rewritten. Lexicon terms go through the same function, so both sides agree.
        (The word pattern already splits at hyphens, dots and apostrophes.)"""
        found = _WORD.findall(fragment)
        replaced = self._replaced
        if replaced.keys().isdisjoint(found):
            return tuple(found)
        out: list[str] = []
        for word in found:
            instead = replaced.get(word)
            if instead is None:
                out.append(word)
            else:
                out.extend(instead)
        return tuple(out)

    def _split_on_words(self, chunk: str, soft: bool, into: list[Piece],
                        tag: bool = False) -> None:
        """Split one chunk at conjunctions ("CEO and Founder") and soft markers
        ("Gerente en Acme": what follows qualifies what precedes); pieces without
        lexicon words are left out."""
        raw_words = chunk.split()
        bare_words = raw_words
        if "." in chunk or "-" in chunk or ":" in chunk:
            bare_words = [w.strip(".:-") for w in raw_words]
        if self._joiners.isdisjoint(bare_words):  # the usual case: the chunk is one piece
            text = " ".join(raw_words)
            words = self.words(text)
            if words:
                into.append(Piece(words, soft, text, tag))
            return
        current: list[str] = []
        current_soft = soft
        for raw_word, bare in zip(raw_words, bare_words, strict=True):
            if bare in self._joiners:
                if current:
                    self._add_piece(current, current_soft, tag, into)
                current, current_soft = [], bare in self.soft_markers or soft
                continue
            current.append(raw_word)
        if current:
            self._add_piece(current, current_soft, tag, into)

    def _add_piece(self, raw_words: list[str], soft: bool, tag: bool, into: list[Piece]) -> None:
        text = " ".join(raw_words)
        words = self.words(text)
        if words:
            into.append(Piece(words, soft, text, tag))

    def _ampersand_word(self, match: re.Match[str]) -> str:
        key = f"{match.group(1)}{match.group(2)}{match.group(3)}"
        word = self._ampersand_words.get(key)
        return f" {word} " if word else match.group(0)


def _strings(data: Mapping[str, object], key: str) -> list[str]:
    values = data.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"lexicon noise.yaml: '{key}' must be a list of strings")
    return values


def _mapping(data: Mapping[str, object], key: str) -> dict[str, str]:
    values = data.get(key, {})
    if not isinstance(values, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in values.items()
    ):
        raise ValueError(f"lexicon noise.yaml: '{key}' must map strings to strings")
    return values
