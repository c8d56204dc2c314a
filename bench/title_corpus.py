"""Seeded synthetic data for the title benchmarks: noisy CRM titles and org overrides.

Not a labelled set (nothing here checks accuracy): it only has to look like what a CRM
holds at scale, so the benchmarks exercise the same paths real titles do. A million
contacts' titles are mostly distinct because of what people add around the job words
(employer, team, place, level, gender mark, emoji, typos), while the job words themselves
repeat.
"""

from __future__ import annotations

import random

from titles_bench import AREAS, NOUNS, RANKS

_SYLLABLES = ["no", "var", "ex", "ka", "la", "bri", "tor", "zen", "mi", "co", "dal", "vi",
              "ra", "quo", "sen", "tek", "lu", "mar", "pho", "gen", "ix", "os", "un", "del"]
_SUFFIXES = ["", "", " Inc", " GmbH", " AG", " Ltd", " SA", " B.V.", " Group", " LLC"]
_COMPANY_FORMS = [" @ {c}", " at {c}", " bei {c}", " chez {c}", " | {c}", ", {c}", " - {c}"]
_PLACES = [" - EMEA", " | DACH", ", Berlin", " North America", " APAC", " (Paris)",
           " Nordics", " - Benelux", ", London", " LATAM", " Iberia", " - Global"]
_EXTRAS = [" (m/w/d)", " H/F", " (f/m/x)", " 🚀", " ✨", " II", " III", " 2", " L4",
           " (Interim)", " a.i.", " – Team {n}", " #{n}", " (Contract)", "!", " ..."]
_TEAMS = ["Alpha", "Growth", "Core", "Platform", "Nova", "Retail", "Payments", "Cloud"]


def company(rng: random.Random) -> str:
    name = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
    return name.capitalize() + rng.choice(_SUFFIXES)


def noisy_title(rng: random.Random) -> str:
    words = [rng.choice(RANKS), rng.choice(AREAS)]
    noun = rng.choice(NOUNS)
    if noun:
        words.append(noun)
    if rng.random() < 0.08:  # one typo: two letters of a word swapped
        i = rng.randrange(len(words))
        word = words[i]
        if len(word) > 4:
            j = rng.randrange(1, len(word) - 2)
            words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    title = " ".join(words)
    if rng.random() < 0.6:
        title += rng.choice(_COMPANY_FORMS).format(c=company(rng))
    if rng.random() < 0.35:
        title += rng.choice(_PLACES)
    if rng.random() < 0.35:
        extra = rng.choice(_EXTRAS)
        title += extra.format(n=rng.choice(_TEAMS) if "Team" in extra else rng.randint(1, 9999))
    casing = rng.random()
    if casing < 0.08:
        title = title.upper()
    elif casing < 0.14:
        title = title.lower()
    if rng.random() < 0.04:  # cut by a CRM field limit
        title = title[: rng.randint(12, 30)]
    return title


def noisy_titles(count: int, seed: int = 11) -> list[str]:
    """`count` titles (mostly distinct; duplicates are kept, as a CRM has them)."""
    rng = random.Random(seed)
    return [noisy_title(rng) for _ in range(count)]


def synthetic_overrides(count: int, seed: int = 5) -> list[dict[str, str]]:
    """`count` override entries as a rules file holds them: mostly plain text (an org's own
    job names, many with its company name), some word-bounded or anchored regexes, a few
    with alternatives; a small share match common titles, so overrides really fire."""
    rng = random.Random(seed)
    roles = ["economic_buyer", "decision_maker", "technical_evaluator", "user", "influencer",
             "blocker", "executive_sponsor"]
    entries: list[dict[str, str]] = []
    for number in range(count):
        kind = rng.random()
        area = rng.choice(AREAS)
        if kind < 0.02:  # common job words: these fire often
            pattern = f"{rng.choice(RANKS)} {area}"
        elif kind < 0.55:
            pattern = f"{area} {rng.choice(['Partner', 'Champion', 'Steward', 'Owner'])} " \
                      f"{company(rng)}"
        elif kind < 0.8:
            pattern = rf"\b{company(rng).split()[0]}\b.*\b{area.split()[0]}\b"
        elif kind < 0.95:
            pattern = rf"^{rng.choice(RANKS)} {area} {number}\b"
        else:
            first, second = company(rng).split()[0], company(rng).split()[0]
            pattern = rf"\b(?:{first}|{second}) (lead|head)\b"
        entry = {"pattern": pattern, "role": rng.choice(roles)}
        if rng.random() < 0.3:
            entry["seniority"] = rng.choice(["vp", "director", "manager", "ic"])
        entries.append(entry)
    return entries
