"""Reads a rules file's YAML defensively, for `leadpact rules check` and for every load.

A rules file is edited by hand and may be anything: not UTF-8, a folder, megabytes of junk,
nesting thousands of levels deep, an anchor/alias "billion laughs", a date where a text was
meant. Everything here turns such input into one `Problem` (file, line, key path, what to
do) instead of a RecursionError, a ValueError or an exhausted machine, and it records the
line of every key so later checks can point at it. Duplicate keys, which plain YAML loaders
silently resolve to the last one, are reported with both lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

MAX_BYTES = 1_000_000  # the shipped file is ~3 kB; 5,000 title overrides fit in ~400 kB
MAX_DEPTH = 32  # the deepest legitimate path is ~6 levels
MAX_NODES = 200_000  # values after expanding aliases: stops anchor/alias bombs

Path_ = tuple[Any, ...]
# libyaml when the installed PyYAML has it (its wheels do): 30× faster than pure Python.
FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Loader: Any = FAST_LOADER


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a rules file, printed as one line: file:line: key.path: detail.

    `detail` says what is wrong and what to write instead."""

    source: str
    line: int  # 0: the file as a whole (it could not be read)
    path: Path_
    detail: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}:" if self.line else f"{self.source}:"
        key = ".".join(_short_key(step) for step in self.path)
        if not key:
            text = f"{where} {self.detail}"
        else:
            text = f"{where} {key}{' ' if self.detail.startswith('must ') else ': '}{self.detail}"
        return one_line(text)


class Unreadable(Exception):
    """The file cannot be checked any further; carries the one problem that says why."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass(slots=True)
class Loaded:
    data: Any
    lines: dict[tuple[str, ...], int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # found while loading (duplicates)

    def line(self, path: Path_) -> int:
        """The line of the deepest part of `path` the file spells out (1 at worst)."""
        steps = tuple(str(step) for step in path)
        while steps:
            if steps in self.lines:
                return self.lines[steps]
            steps = steps[:-1]
        return 1


def one_line(text: str) -> str:
    """Line breaks, control characters and lone surrogates escaped: one printable line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


def short(value: Any, limit: int = 40) -> str:
    """A value as it can appear in a one-line message."""
    return clip(repr(value), limit)


def clip(text: str, limit: int) -> str:
    return one_line(text if len(text) <= limit else text[:limit - 1] + "…")


def _short_key(step: Any) -> str:
    text = str(step)
    return text if len(text) <= 40 else text[:39] + "…"


def read_text(path: Path, source: str | None = None) -> str:
    """The file's text, or Unreadable saying why not (folder, too big, not UTF-8 …)."""
    name = source or str(path)
    try:
        if path.is_dir():
            raise Unreadable(Problem(name, 0, (), "is a folder, not a rules file; name the YAML "
                                     "file itself (e.g. lead-definition.yaml)"))
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise Unreadable(Problem(name, 0, (), f"cannot read the rules file ({reason}); check "
                                 "the path (the `rules` setting in leadpact.toml)")) from None
    if len(raw) > MAX_BYTES:
        raise Unreadable(_too_big(name))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise Unreadable(Problem(name, line, (), f"not UTF-8 text (byte {raw[exc.start]:#04x}); "
                                 "save the file as UTF-8")) from None


def _too_big(source: str) -> Problem:
    return Problem(source, 0, (), f"larger than {MAX_BYTES // 1_000_000} MB; a rules file is "
                   "a short hand-edited definition: remove generated or pasted content")


def load(text: str, source: str) -> Loaded:
    """Parse YAML text into plain data with the line of every key; Unreadable when it
    cannot be parsed safely."""
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise Unreadable(_too_big(source))
    try:
        _scan_events(text, source)
        loader = _StrictLoader(text)
        try:
            node = loader.get_single_node()
            loaded = Loaded(None)
            if node is not None:
                _walk_nodes(node, source, loaded)
                loaded.data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise Unreadable(_syntax_problem(exc, text, source)) from None
    return loaded


def _syntax_problem(exc: yaml.YAMLError, text: str, source: str) -> Problem:
    if isinstance(exc, yaml.reader.ReaderError):
        line = text[:max(exc.position, 0)].count("\n") + 1
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1])
        return Problem(source, line, (), f"not valid YAML (character {code:#x} is not allowed); "
                       "remove it, or save the file as plain UTF-8 text")
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark else 1
    problem = clip(str(getattr(exc, "problem", None) or exc), 200)
    if isinstance(exc, _ValueTrouble):
        return Problem(source, line, (), problem)
    return Problem(source, line, (), f"not valid YAML ({problem}); fix the indentation, quotes "
                   "or brackets there")


def _scan_events(text: str, source: str) -> None:
    """Depth and expanded size from the event stream, which the parser produces without
    recursion: the composer and constructor that come next recurse once per level."""
    stack: list[list[Any]] = []  # per open collection: [anchor, values inside it, expanded]
    sizes: dict[str, int] = {}
    total = 0

    def add(count: int, event: yaml.Event) -> None:
        nonlocal total
        if stack:
            stack[-1][1] += count
            grown = stack[-1][1]
        else:
            total += count
            grown = total
        if grown > MAX_NODES:
            raise Unreadable(Problem(source, _line(event), (), (
                f"expands to more than {MAX_NODES:,} values (anchors and aliases "
                "repeat their content); write the values out or remove the aliases")))

    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            stack.append([event.anchor, 1])
            if len(stack) > MAX_DEPTH:
                raise Unreadable(Problem(source, _line(event), (), (
                    f"nested more than {MAX_DEPTH} levels deep; a rules file needs about 6: "
                    "check the indentation and brackets there")))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            anchor, size = stack.pop()
            if anchor:
                sizes[anchor] = size
            add(size, event)
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor:
                sizes[event.anchor] = 1
            add(1, event)
        elif isinstance(event, yaml.AliasEvent):
            if any(entry[0] == event.anchor for entry in stack):
                raise Unreadable(Problem(source, _line(event), (), (
                    f"alias *{one_line(str(event.anchor))[:40]} is inside its own anchor, so "
                    "the value would contain itself; write the values out instead")))
            add(sizes.get(event.anchor or "", 1), event)


def _line(event: yaml.Event) -> int:
    return event.start_mark.line + 1 if event.start_mark is not None else 1


def _walk_nodes(root: yaml.Node, source: str, loaded: Loaded) -> None:
    """Record the line of every key and item; report duplicate keys. Iterative; each node
    once (a value reached through an alias is placed at the alias's line)."""
    pending: list[tuple[yaml.Node, tuple[str, ...]]] = [(root, ())]
    walked: set[int] = set()  # an alias's content is walked once, at its anchor
    while pending:
        node, path = pending.pop()
        if id(node) in walked:
            continue
        walked.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
                    continue
                line = key.start_mark.line + 1
                label = str(key.value)
                if label in seen:
                    loaded.problems.append(Problem(
                        source, line, (*path, label),
                        f"duplicate key (first at line {seen[label]}); YAML keeps only the "
                        "last one: keep one of them"))
                    continue
                seen[label] = line
                loaded.lines.setdefault((*path, label), line)
                pending.append((value, (*path, label)))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                loaded.lines.setdefault((*path, str(index)), item.start_mark.line + 1)
                pending.append((item, (*path, str(index))))


# The stubs type libyaml's loader apart from SafeLoader; it behaves as one, so mypy checks
# the subclass against SafeLoader while it runs on the fast loader.
if TYPE_CHECKING:
    _LoaderBase = yaml.SafeLoader
else:
    _LoaderBase = _Loader


class _StrictLoader(_LoaderBase):
    """SafeLoader whose value errors (a date like 2026-13-45, an integer of 5,000 digits)
    come out as YAML errors that carry the line, not as bare ValueErrors."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:
            value = short(node.value) if isinstance(node, yaml.ScalarNode) else node.tag
            raise _ValueTrouble(
                None, None, f"cannot read {value} ({clip(str(exc), 80)}); quote it if it is "
                "a text", node.start_mark) from None


class _ValueTrouble(yaml.constructor.ConstructorError):
    """A scalar YAML resolved to a type whose value is impossible (a 13th month)."""
