"""Parent relationship fields in SOQL (`Campaign.Name` on CampaignMember): resolving them
against the schema, adding the parent's values to each row, and rendering them on the wire
as Salesforce does, a nested record under the relationship name (null without a parent).

A standard lookup `XxxId` is the relationship `Xxx`; one level deep, as leadpact needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from leadpact.connectors.sandbox import salesforce_schema as schema
from leadpact.connectors.sandbox.store import Store

SYSTEM = "salesforce"


@dataclass(frozen=True, slots=True)
class Relation:
    """One `Relationship.Field` a query names."""

    name: str  # as the schema spells it: Campaign.Name
    lookup: str  # the child's reference field: CampaignId
    parent: str  # the parent sObject: Campaign
    field: schema.FieldDef  # the parent's field


def resolve(store: Store, defs: Mapping[str, schema.FieldDef], names: Iterable[str]
            ) -> dict[str, Relation]:
    """{lower-cased name: Relation} for the dotted names; raises KeyError(name) for one
    that is not a parent relationship field of this sObject."""
    found: dict[str, Relation] = {}
    by_lower = {name.lower(): d for name, d in defs.items()}
    for name in names:
        if "." not in name or name.lower() in found:
            continue
        relationship, _, field = name.partition(".")
        lookup = by_lower.get(f"{relationship.lower()}id")
        if lookup is None or lookup.type != "reference" or "." in field:
            raise KeyError(name)
        parent = lookup.reference_to[0]
        parent_defs = {n.lower(): d for n, d in schema.fields_of(store, parent).items()}
        target = parent_defs.get(field.lower())
        if target is None:
            raise KeyError(name)
        found[name.lower()] = Relation(f"{lookup.name[:-2]}.{target.name}", lookup.name,
                                       parent, target)
    return found


def with_parents(store: Store, records: Iterable[dict[str, Any]],
                 relations: Mapping[str, Relation]) -> Iterator[dict[str, Any]]:
    """Each record (keyed by lower-cased name) with the parents' values added under the
    lower-cased dotted names; each parent is read once per query."""
    cache: dict[tuple[str, str], dict[str, Any] | None] = {}
    for record in records:
        for key, relation in relations.items():
            parent_id = record.get(relation.lookup.lower())
            parent = _parent(store, relation.parent, parent_id, cache) if parent_id else None
            record[key] = parent.get(relation.field.name) if parent else None
            record[f"{key}#present"] = parent is not None
        yield record


def _parent(store: Store, sobject: str, id_: str, cache: dict[tuple[str, str], Any]
            ) -> dict[str, Any] | None:
    key = (sobject, id_)
    if key not in cache:
        row = store.get(SYSTEM, sobject, id_)
        cache[key] = schema.typed_record(store, row) if row and not row.deleted else None
    found: dict[str, Any] | None = cache[key]
    return found


def nest(wire: dict[str, Any], record: Mapping[str, Any], names: Iterable[str],
         version: str) -> dict[str, Any]:
    """Move `Rel.Field` wire values under `Rel` as a nested record (null: no parent)."""
    for name in names:
        if "." not in name:
            continue
        relationship, _, field = name.partition(".")
        value = wire.pop(name)
        if not record.get(f"{name.lower()}#present"):
            wire[relationship] = None
            continue
        parent = wire.get(relationship)
        if parent is None:
            parent_id = record.get(f"{relationship.lower()}id")
            sobject = schema.sobject_of_id(str(parent_id)) or relationship
            parent = {"attributes": {
                "type": sobject,
                "url": f"/services/data/v{version}/sobjects/{sobject}/{parent_id}"}}
            wire[relationship] = parent
        parent[field] = value
    return wire
