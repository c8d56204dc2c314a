"""The small SOQL subset the sandbox understands: the syntax tree and its parser. Pure.
(soql_eval.py type-checks and evaluates a parsed query.)

SELECT f, ... FROM sObject [WHERE cond] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...]
[LIMIT n] [OFFSET n]. Conditions: = != <> < <= > >=, [NOT] IN (...), LIKE, NOT, AND/OR
with parentheses (SOQL refuses to mix AND and OR without them). Literals: 'strings' with
backslash escapes, numbers, TRUE/FALSE, NULL, dates 2026-11-01 and datetimes
2026-11-01T10:00:00Z / .000+0000 / +00:00.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

Value = str | int | float | bool | date | datetime | None


class SoqlError(ValueError):
    """A query the sandbox refuses; `code` is the Salesforce errorCode to answer with."""

    def __init__(self, message: str, code: str = "MALFORMED_QUERY"):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Compare:
    field: str
    op: str  # = != < <= > >=
    value: Value


@dataclass(frozen=True, slots=True)
class InSet:
    field: str
    values: tuple[Value, ...]
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Like:
    field: str
    pattern: str  # raw SOQL pattern: % and _ wildcards, \% and \_ literal


@dataclass(frozen=True, slots=True)
class Not:
    operand: Condition


@dataclass(frozen=True, slots=True)
class Junction:
    op: str  # AND | OR
    operands: tuple[Condition, ...]


Condition = Compare | InSet | Like | Not | Junction


@dataclass(frozen=True, slots=True)
class OrderKey:
    field: str
    descending: bool = False
    nulls_first: bool = True  # SOQL's default: nulls sort first


@dataclass(frozen=True, slots=True)
class Query:
    fields: tuple[str, ...]
    sobject: str
    where: Condition | None = None
    order_by: tuple[OrderKey, ...] = ()
    limit: int | None = None
    offset: int = 0

    def referenced_fields(self) -> list[str]:
        """Every field name the query mentions, in order of appearance, as written."""
        names = list(self.fields)
        if self.where is not None:
            names += condition_fields(self.where)
        names += [key.field for key in self.order_by]
        return names


def condition_fields(cond: Condition) -> list[str]:
    if isinstance(cond, Junction):
        return [name for operand in cond.operands for name in condition_fields(operand)]
    if isinstance(cond, Not):
        return condition_fields(cond.operand)
    return [cond.field]


# -- tokens ---------------------------------------------------------------------------------
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))
     |(?P<date>\d{4}-\d{2}-\d{2})(?![\w:])
     |(?P<number>-?\d+(?:\.\d+)?)(?![\w.])
     |(?P<string>'(?:[^'\\]|\\.)*')
     |(?P<op>!=|<>|<=|>=|=|<|>)
     |(?P<punct>[(),])
     |(?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    )""",
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'",
            "\\": "\\", "%": "\\%", "_": "\\_"}  # \% and \_ stay escaped for LIKE


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    value: Value = None


def _unescape(body: str) -> str:
    out, i = [], 0
    while i < len(body):
        if body[i] == "\\":
            nxt = body[i + 1]
            if nxt not in _ESCAPES:
                raise SoqlError(f"Invalid string literal: unknown escape \\{nxt}")
            out.append(_ESCAPES[nxt])
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def parse_datetime_literal(text: str) -> datetime:
    zone = text[19:].lstrip(".0123456789") or "Z"
    base = datetime.fromisoformat(text[:19])
    fraction = text[19:len(text) - len(zone)].lstrip(".")
    micros = int(fraction.ljust(6, "0")) if fraction else 0
    if zone == "Z":
        tz = UTC
    else:
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    return base.replace(microsecond=micros, tzinfo=tz).astimezone(UTC)


def tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        if not text[pos:].strip():
            break
        found = _TOKEN.match(text, pos)
        if not found or found.end() == pos:
            raise SoqlError(f"unexpected token: '{text[pos:].split()[0][:30]}'")
        kind = found.lastgroup or ""
        raw = found.group(kind)
        try:
            if kind == "datetime":
                tokens.append(_Token("value", raw, parse_datetime_literal(raw)))
            elif kind == "date":
                tokens.append(_Token("value", raw, date.fromisoformat(raw)))
            elif kind == "number":
                tokens.append(_Token("value", raw, float(raw) if "." in raw else int(raw)))
            elif kind == "string":
                tokens.append(_Token("value", raw, _unescape(raw[1:-1])))
            else:
                tokens.append(_Token(kind, raw))
        except ValueError as exc:
            raise SoqlError(f"invalid literal {raw}: {exc}") from None
        pos = found.end()
    return tokens


# -- parser ---------------------------------------------------------------------------------
_KEYWORDS = {"SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY",
             "ASC", "DESC", "NULLS", "FIRST", "LAST", "LIMIT", "OFFSET"}
_LITERAL_WORDS: dict[str, Value] = {"TRUE": True, "FALSE": False, "NULL": None}


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.pos = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "word" and token.text.upper() in words

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise SoqlError("unexpected end of query")
        self.pos += 1
        return token

    def expect_word(self, word: str) -> None:
        token = self.take()
        if token.kind != "word" or token.text.upper() != word:
            raise SoqlError(f"unexpected token: '{token.text}', expected {word}")

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            raise SoqlError(f"unexpected token: '{token.text}', expected '{text}'")

    def name(self) -> str:
        token = self.take()
        if token.kind != "word" or token.text.upper() in _KEYWORDS | set(_LITERAL_WORDS):
            raise SoqlError(f"unexpected token: '{token.text}', expected a field name")
        return token.text

    def value(self) -> Value:
        token = self.take()
        if token.kind == "value":
            return token.value
        if token.kind == "word" and token.text.upper() in _LITERAL_WORDS:
            return _LITERAL_WORDS[token.text.upper()]
        raise SoqlError(f"unexpected token: '{token.text}', expected a value")

    def integer(self) -> int:
        value = self.value()
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise SoqlError("LIMIT and OFFSET need a non-negative integer")
        return value

    def query(self) -> Query:
        self.expect_word("SELECT")
        fields = [self.name()]
        while self.peek() is not None and self.peek().text == ",":  # type: ignore[union-attr]
            self.take()
            fields.append(self.name())
        self.expect_word("FROM")
        sobject = self.name()
        where = order = limit = None
        offset = 0
        if self.at_word("WHERE"):
            self.take()
            where = self.condition()
        if self.at_word("ORDER"):
            self.take()
            self.expect_word("BY")
            order = self.order_keys()
        if self.at_word("LIMIT"):
            self.take()
            limit = self.integer()
        if self.at_word("OFFSET"):
            self.take()
            offset = self.integer()
        if self.peek() is not None:
            raise SoqlError(f"unexpected token: '{self.peek().text}'")  # type: ignore[union-attr]
        return Query(tuple(fields), sobject, where, tuple(order or ()), limit, offset)

    def condition(self) -> Condition:
        operands = [self.unary()]
        joiner: str | None = None
        while self.at_word("AND", "OR"):
            word = self.take().text.upper()
            if joiner not in (None, word):
                raise SoqlError("unexpected token: 'OR'/'AND': use parentheses to mix them")
            joiner = word
            operands.append(self.unary())
        return operands[0] if joiner is None else Junction(joiner, tuple(operands))

    def unary(self) -> Condition:
        if self.at_word("NOT"):
            self.take()
            return Not(self.unary())
        token = self.peek()
        if token is not None and token.text == "(":
            self.take()
            inner = self.condition()
            self.expect(")")
            return inner
        return self.simple()

    def simple(self) -> Condition:
        field = self.name()
        negated = self.at_word("NOT")
        if negated:
            self.take()
            if not self.at_word("IN"):
                raise SoqlError("unexpected token: 'NOT', expected NOT IN")
        if self.at_word("IN"):
            self.take()
            self.expect("(")
            values = [self.value()]
            while self.peek() is not None and self.peek().text == ",":  # type: ignore[union-attr]
                self.take()
                values.append(self.value())
            self.expect(")")
            return InSet(field, tuple(values), negated)
        if self.at_word("LIKE"):
            self.take()
            pattern = self.value()
            if not isinstance(pattern, str):
                raise SoqlError("LIKE needs a quoted string")
            return Like(field, pattern)
        token = self.take()
        if token.kind != "op":
            raise SoqlError(f"unexpected token: '{token.text}', expected an operator")
        return Compare(field, "!=" if token.text == "<>" else token.text, self.value())

    def order_keys(self) -> list[OrderKey]:
        keys = []
        while True:
            field = self.name()
            descending = False
            if self.at_word("ASC", "DESC"):
                descending = self.take().text.upper() == "DESC"
            nulls_first = True
            if self.at_word("NULLS"):
                self.take()
                if not self.at_word("FIRST", "LAST"):
                    raise SoqlError("NULLS needs FIRST or LAST")
                nulls_first = self.take().text.upper() == "FIRST"
            keys.append(OrderKey(field, descending, nulls_first))
            if self.peek() is None or self.peek().text != ",":  # type: ignore[union-attr]
                return keys
            self.take()


def parse(text: str) -> Query:
    """Parse a SOQL query; raises SoqlError (MALFORMED_QUERY) when it is not in the subset."""
    return _Parser(text).query()
