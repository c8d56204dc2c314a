"""The HubSpot reads shared by the streams: batch reads, v4 association reads (following
per-record paging), and a page of contacts' recent activities.

Activities cost a few calls per page of contacts, never one per contact: one v4 association
read per engagement type (1000 contacts per call), then batch reads of the engagements
(100 per call), each engagement read once even when several contacts share it; marketing
touches come with the contact's properties, and their histories (50 contacts per call)
only for contacts who did something more than once recently (marketing.needs_history).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from leadpact.connectors.hubspot import activities, marketing
from leadpact.connectors.hubspot.batching import chunked
from leadpact.connectors.hubspot.client import Caller, HubSpotApis
from leadpact.connectors.hubspot.mapping import AssociationType
from leadpact.model import DEAL, HUBSPOT, Activity, Ref

ASSOCIATION_BATCH = 1000  # v4 batch read cap
HISTORY_BATCH = 50  # batch reads with propertiesWithHistory
READ_BATCH = 100
# Engagements read per contact and type: ids grow with creation, so the newest ids are the
# ones logged last; twice the cap leaves room for meetings that did not take place, future
# ones, and engagements logged out of order.
READ_FACTOR = 2

Associated = dict[str, list[tuple[str, list[AssociationType]]]]


class Reader:
    def __init__(self, apis: HubSpotApis, call: Caller, timeout: float):
        self._apis = apis
        self._call = call
        self._timeout = timeout

    def batch_read(self, object_type: str, ids: Sequence[str], properties: Sequence[str],
                   ) -> list[Any]:
        """The live records among `ids` (at most READ_BATCH); unknown ids are left out."""
        body = {"inputs": [{"id": id_} for id_ in ids], "properties": list(properties)}
        response = self._call(f"a batch read of {object_type}", lambda: (
            self._apis.batch.read(object_type, body, archived=False,
                                  _request_timeout=self._timeout)))
        return list(response.results or [])  # ids it could not find come back as errors

    def histories(self, object_type: str, ids: Sequence[str], properties: Sequence[str]
                  ) -> dict[str, dict[str, list[tuple[Any, str]]]]:
        """{id: {property: [(timestamp, value), ...] oldest first}}, via batch reads with
        propertiesWithHistory (HubSpot caps those at 50 inputs)."""
        found: dict[str, dict[str, list[tuple[Any, str]]]] = {}
        for chunk in chunked(list(ids), HISTORY_BATCH):
            body = {"inputs": [{"id": id_} for id_ in chunk], "properties": [],
                    "propertiesWithHistory": list(properties)}
            response = self._call(f"reading the {object_type}' property history", partial(
                self._apis.batch.read, object_type, body, archived=False,
                _request_timeout=self._timeout))
            for obj in response.results or []:
                kept = {}
                for name, entries in (obj.properties_with_history or {}).items():
                    kept[name] = sorted(((e.timestamp, e.value) for e in entries or []
                                         if e.timestamp is not None and e.value is not None),
                                        key=lambda entry: entry[0])
                found[str(obj.id)] = kept
        return found

    def associated(self, from_type: str, to_type: str, ids: Sequence[str]) -> Associated:
        """{from id: [(to id, association types)]}, following per-record paging."""
        result: Associated = {id_: [] for id_ in ids}
        pending: list[dict[str, str]] = [{"id": id_} for id_ in ids]
        while pending:
            next_round: list[dict[str, str]] = []
            for chunk in chunked(pending, ASSOCIATION_BATCH):
                body = {"inputs": chunk}
                response = self._call(f"reading {from_type} to {to_type} associations",
                                      partial(self._apis.associations.get_page, from_type,
                                              to_type, body, _request_timeout=self._timeout))
                for item in response.results or []:  # ids with none come back as errors
                    from_id = str(item._from.id)
                    result.setdefault(from_id, []).extend(
                        (str(to.to_object_id),
                         [AssociationType(t.category, int(t.type_id), t.label)
                          for t in to.association_types or []])
                        for to in item.to or [])
                    if item.paging and item.paging.next and item.paging.next.after:
                        next_round.append({"id": from_id, "after": item.paging.next.after})
            pending = next_round
        return result

    def contact_activities(
        self, contacts: Mapping[str, Mapping[str, Any]], now: datetime, days: int, cap: int,
    ) -> dict[str, tuple[Activity, ...]]:
        """{contact id: recent activities, newest last} for contacts given with their
        properties (the conversion properties among them)."""
        if cap <= 0 or not contacts:
            return {}
        ids = list(contacts)
        linked: dict[str, list[tuple[str, str]]] = {id_: [] for id_ in ids}
        wanted: dict[str, list[str]] = {}
        for type_ in activities.ENGAGEMENT_TYPES:
            for contact_id, links in self.associated("contacts", type_, ids).items():
                newest = activities.newest_ids((to for to, _ in links), READ_FACTOR * cap)
                linked.setdefault(contact_id, []).extend((type_, e) for e in newest)
                wanted.setdefault(type_, []).extend(newest)
        read: dict[tuple[str, str], Activity] = {}
        for type_, engagement_ids in wanted.items():
            for chunk in chunked(list(dict.fromkeys(engagement_ids)), READ_BATCH):
                for obj in self.batch_read(type_, chunk, activities.ENGAGEMENT_PROPERTIES[type_]):
                    found = activities.engagement_activity(type_, obj.properties or {})
                    if found is not None:
                        read[(type_, str(obj.id))] = found
            # Which deal each was logged on, so a contact's talk about one deal does not
            # count for their other deals (none or several: it counts for each).
            on_deals = self.associated(type_, "deals", [i for t, i in read if t == type_])
            for engagement_id, deals in on_deals.items():
                if len({deal for deal, _ in deals}) == 1:
                    key = (type_, engagement_id)
                    read[key] = replace(read[key], deal=Ref(HUBSPOT, DEAL, deals[0][0]))
        since = now - timedelta(days=days)
        history = self.histories("contacts", [i for i, props in contacts.items()
                                              if marketing.needs_history(props, since)],
                                 marketing.HISTORY_PROPERTIES)
        return {id_: activities.contact_activities(
                    linked.get(id_, ()), read, props, now, days, cap,
                    marketing.marketing_activities(props, history.get(id_)))
                for id_, props in contacts.items()}
