"""The opt-in mapping of a person's lead stage onto the CRMs' own fields.

`[native.hubspot_lifecyclestage]`, `[native.hubspot_lead_status]` and
`[native.salesforce_lead_status]` in leadpact.toml each map stage names of the rules file
onto values of one of the CRMs' own status fields, which the connectors name
(connectors/native_fields.py). Off unless a table is given. A stage not in a table leaves that
field as it is (nothing is ever cleared).

A forward-only field (HubSpot's lifecycle stage) is never moved back in the order its
connector gives, unless the field is empty. Who owns the value follows the ledger like
every other written field (leadpact/plan.py): a value leadpact did not write is a
person's, and stays. Pure: parsed TOML in, a NativeMap out; values in, wanted values out.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from leadpact.connectors.native_fields import LIFECYCLE_ORDER, PERSON_FIELDS, TARGETS
from leadpact.errors import ConfigError
from leadpact.model import Ref

# Ledger names of the native fields a person record may carry (Person.native).
NATIVE_PERSON_FIELDS = tuple(name for names in PERSON_FIELDS.values() for name in names)


@dataclass(frozen=True, slots=True)
class NativeTarget:
    """One native field and the value each stage puts there."""

    key: str  # the config table, e.g. "hubspot_lifecyclestage"
    system: str
    kind: str  # record kind it lives on: HubSpot contact, Salesforce lead
    field: str  # native name, from the connectors (also the ledger's name for it)
    values: Mapping[str, str]  # stage name -> value
    forward_only: bool = False

    @property
    def where(self) -> str:
        return f"[native.{self.key}]"


@dataclass(frozen=True, slots=True)
class NativeMap:
    targets: tuple[NativeTarget, ...] = field(default=())

    def for_record(self, ref: Ref) -> tuple[NativeTarget, ...]:
        return tuple(t for t in self.targets if t.system == ref.system and t.kind == ref.kind)

    def of_system(self, system: str) -> tuple[NativeTarget, ...]:
        return tuple(t for t in self.targets if t.system == system)


NO_NATIVE = NativeMap()


def native_map(section: object, path: Path) -> NativeMap:
    """The [native] section (already parsed); absent: nothing mapped."""
    if section is None:
        return NO_NATIVE
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: `native` must be tables such as "
                          "[native.hubspot_lifecyclestage]", path=path)
    found = []
    for key, table in section.items():
        if key not in TARGETS:
            raise ConfigError(f"{path}: [native] unknown table [native.{str(key)[:40]}]; "
                              f"use one of {', '.join(f'[native.{t}]' for t in TARGETS)}",
                              path=path)
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [native.{key}] must be a table of "
                              "stage = \"value\" lines, e.g. sales_ready = \"...\"", path=path)
        for stage, value in table.items():
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{path}: [native.{key}] `{str(stage)[:40]}` must be the "
                                  "field's value as quoted text (an option's internal value)",
                                  path=path)
        system, kind, name, forward = TARGETS[key]
        found.append(NativeTarget(key, system, kind, name, dict(table), forward))
    return NativeMap(tuple(found))


def unknown_stages(native: NativeMap, stages: Collection[str]) -> list[str]:
    """One line per mapped stage the rules file does not have."""
    return [f"{t.where} `{stage}` is not a person stage of the rules file (stages: "
            f"{', '.join(stages)}); fix or remove that line in leadpact.toml"
            for t in native.targets for stage in t.values if stage not in stages]


def option_problems(native: NativeMap, system: str,
                    options: Mapping[str, Sequence[str] | None]) -> list[str]:
    """One line per mapped value that is not an option of its field in the CRM
    (`options`: native field -> the options describe/properties lists; None when the
    field was not found)."""
    problems = []
    for target in native.of_system(system):
        allowed = options.get(target.field)
        if allowed is None:
            problems.append(f"{target.where}: the CRM has no {target.field} field to map "
                            "stages onto; remove the table from leadpact.toml")
            continue
        problems += [f"{target.where} {stage} = '{value}' is not an option of "
                     f"{target.field} (options: {', '.join(allowed)}); use one of them in "
                     "leadpact.toml"
                     for stage, value in target.values.items() if value not in allowed]
    return problems


def wanted_values(native: NativeMap, ref: Ref, stage: str | None,
                  current: Mapping[str, str | None]) -> dict[str, str]:
    """{native field: value} this record's stage asks for (wanted_targets, by field)."""
    return {target.field: value
            for target, value in wanted_targets(native, ref, stage, current)}


def wanted_targets(native: NativeMap, ref: Ref, stage: str | None,
                   current: Mapping[str, str | None]) -> list[tuple[NativeTarget, str]]:
    """(target, value) for each native field this record's stage asks for. Whether the
    value is ours to change is the ledger's business (leadpact/plan.py); this only leaves
    out what the mapping never asks: unmapped stages and a forward-only stage behind the
    current one."""
    wanted = []
    for target in native.for_record(ref):
        value = target.values.get(stage) if stage else None
        if value is None:
            continue
        if target.forward_only and not moves_forward(current.get(target.field), value):
            continue
        wanted.append((target, value))
    return wanted


def moves_forward(current: str | None, wanted: str) -> bool:
    """A forward-only stage (HubSpot's lifecycle) may be set when empty, or moved later
    in the order."""
    if not current:
        return True
    if current not in LIFECYCLE_ORDER or wanted not in LIFECYCLE_ORDER:
        return current == wanted  # outside the order ("other"): never moved
    return LIFECYCLE_ORDER.index(wanted) >= LIFECYCLE_ORDER.index(current)
