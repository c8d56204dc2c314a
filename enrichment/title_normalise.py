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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

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
_SEPARATOR = re.compile(r"(\s+[-~]+\s+|[|;,/\\&+:()\[\]{}<>]|\s-$|^-\s)")
_SOFT_OPENERS = frozenset("([{)]}")
_WORD = re.compile(r"[^\W_]+")
_DIGITS = re.compile(r"\d+")


def fold(text: str) -> str:
    """Casefold and strip accents ("Geschäftsführerin" → "geschaftsfuhrerin")."""
    text = text.casefold()
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
        text = text.translate(_SPECIAL_LETTERS)
    return text


@dataclass(frozen=True, slots=True)
class Piece:
    """One stretch of a title between separators, as lexicon words.

    `soft` pieces (in parentheses, after "en"/"in"/"em") qualify the piece before them and
    are never a job title of their own."""

    words: tuple[str, ...]
    soft: bool
    text: str


class Normaliser:
    """Cleans and splits titles with the noise lists of lexicon/noise.yaml."""

    __slots__ = (
        "stopwords", "conjunctions", "soft_markers", "rewrites", "placeholders",
        "_ampersand_words", "_company_cut", "_joiners",
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
        self.placeholders = frozenset(
            " ".join(_WORD.findall(fold(p))) for p in _strings(noise, "placeholders")
        )
        self._ampersand_words = {
            fold(k): fold(v) for k, v in _mapping(noise, "ampersand_words").items()
        }
        markers = sorted((fold(m) for m in _strings(noise, "company_markers")), key=len)
        marker_words = "|".join(re.escape(m) for m in reversed(markers) if m != "@")
        self._company_cut = re.compile(rf"\s*@.*?(?=\||$)|\s(?:{marker_words})\s.*?(?=\||$)")

    @staticmethod
    def umlaut_form(word: str) -> str:
        """German ä/ö/ü typed as ae/oe/ue ("Geschaeftsfuehrer") in their folded form."""
        return _UMLAUT_SPELLING.sub(r"\1", word)

    def clean(self, raw: str) -> str:
        """Folded title with gender marks, emoji, elisions and company fragments removed;
        separators are kept for `pieces`."""
        text = fold(_EMOJI.sub(" ", raw))
        if "(" in text or "[" in text:
            text = _GENDER_GROUP.sub(" ", text)
        if "/" in text or "|" in text:
            text = _GENDER_BARE.sub(" ", text)
        text = _GENDER_ATTACHED.sub("", text).replace("·", " | ")
        if "'" in text:
            text = _ELISION.sub("", text)
        if "." in text:
            text = _INTERIM_AI.sub(" interim ", text)
            text = _DOTTED_ABBREVIATION.sub(lambda m: m.group().replace(".", ""), text)
            text = text.replace("...", " ")
        text = _AT_LAW.sub("", text)
        text = self._company_cut.sub(" ", text)
        if "&" in text or "+" in text:
            text = _AMPERSAND_WORD.sub(self._ampersand_word, text)
        return " ".join(text.split())

    def is_placeholder(self, cleaned: str) -> bool:
        joined = " ".join(_WORD.findall(cleaned))
        return joined in self.placeholders or not joined or _DIGITS.fullmatch(
            joined.replace(" ", "")
        ) is not None

    def pieces(self, cleaned: str) -> tuple[Piece, ...]:
        """Split a cleaned title where one job title may end and another begin."""
        result: list[Piece] = []
        soft = False
        for chunk in _SEPARATOR.split(cleaned):
            stripped = chunk.strip()
            if not stripped:
                continue
            if _SEPARATOR.fullmatch(chunk) or stripped in ("-", "~"):
                soft = stripped in _SOFT_OPENERS
                continue
            result.extend(self._split_on_words(stripped, soft))
            soft = False
        return tuple(p for p in result if p.words)

    def words(self, fragment: str) -> tuple[str, ...]:
        """Lexicon words of a fragment: stop-words dropped, typos and abbreviations
        rewritten. Lexicon terms go through the same function, so both sides agree."""
        out: list[str] = []
        for word in _WORD.findall(fragment.replace("'", " ")):
            if word in self.stopwords:
                continue
            rewritten = self.rewrites.get(word)
            if rewritten is None:
                out.append(word)
            else:
                out.extend(w for w in rewritten if w not in self.stopwords)
        return tuple(out)

    def _split_on_words(self, chunk: str, soft: bool) -> Iterable[Piece]:
        raw_words = chunk.split()
        if self._joiners.isdisjoint(w.strip(".:-") for w in raw_words):
            yield self._piece(raw_words, soft)
            return
        current: list[str] = []
        current_soft = soft
        for raw_word in raw_words:
            bare = raw_word.strip(".:-")
            if bare in self.conjunctions or bare in self.soft_markers:
                if current:
                    yield self._piece(current, current_soft)
                current, current_soft = [], bare in self.soft_markers or soft
                continue
            current.append(raw_word)
        if current:
            yield self._piece(current, current_soft)

    def _piece(self, raw_words: list[str], soft: bool) -> Piece:
        text = " ".join(raw_words)
        return Piece(self.words(text.replace("-", " ").replace(".", " ")), soft, text)

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
