"""Who else keeps setting a field leadpact writes, and which of leadpact's writes landed on
a person's edit, from Salesforce field history (LeadHistory / ContactHistory /
OpportunityFieldHistory, kept for fields with history tracking on), and the names of Users
by id (record owners, history authors).

The SOQL and the choice of row are pure; `who_changed` and `user_names` take the
connector's query function, so the calls go through its retries and errors.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from simple_salesforce import format_soql

from leadpact.changes import SetField
from leadpact.connectors.base import CheckProblem
from leadpact.connectors.overwritten import Overwritten, Transition, find_overwritten
from leadpact.connectors.salesforce.queries import IN_LIST_LIMIT, chunks
from leadpact.crm_schema import HISTORY_SOBJECTS, salesforce_fields
from leadpact.fields import BY_NAME, to_canonical
from leadpact.model import ACCOUNT, CONTACT, DEAL, LEAD, SALESFORCE, RecordKind, Ref

Row = dict[str, Any]
Query = Callable[[str, bool, str], list[Row]]  # (soql, include deleted, what) -> rows

HISTORY = {LEAD: ("LeadHistory", "LeadId"), CONTACT: ("ContactHistory", "ContactId"),
           DEAL: ("OpportunityFieldHistory", "OpportunityId"),
           ACCOUNT: ("AccountHistory", "AccountId")}
HISTORY_ROWS = 20  # the newest changes looked at: a fight shows within a few


def api_field(field: str) -> str | None:
    """The custom field behind one of leadpact's canonical field names (None: a field
    without history here, e.g. a contact role)."""
    spec = BY_NAME.get(field)
    return spec.salesforce if spec else None


def history_query(record: Ref, field_name: str) -> str | None:
    found = HISTORY.get(record.kind)
    if found is None:
        return None
    sobject, parent = found
    return format_soql(
        "SELECT Id, Field, OldValue, NewValue, CreatedById, CreatedDate FROM {:literal} "
        "WHERE {:literal} = {} AND Field = {} ORDER BY CreatedDate DESC, Id DESC LIMIT {:literal}",
        sobject, parent, record.id, field_name, str(HISTORY_ROWS))


def users_query(ids: Sequence[str]) -> str:
    return format_soql("SELECT Id, Name FROM User WHERE Id IN {} ORDER BY Id", list(ids))


def newest_other(rows: Iterable[Row], field: str, ours: str | None) -> Row | None:
    """The newest history row (rows come newest first) that set a value other than
    leadpact's: the last time someone else changed it."""
    spec = BY_NAME.get(field)
    for row in rows:
        raw = row.get("NewValue")
        value = to_canonical(spec, raw) if spec else (None if raw in (None, "") else str(raw))
        if value != ours:
            return row
    return None


def describe_user(user_id: str, name: str | None) -> str:
    return f"{name} (Salesforce user {user_id})" if name else f"Salesforce user {user_id}"


def who_changed(query: Query, record: Ref, field: str, ours: str | None) -> str | None:
    """Who last set `field` of `record` to something other than `ours`: the User's name
    and id; None when the history does not say (field not tracked, no such change)."""
    name = api_field(field)
    soql = history_query(record, name) if name else None
    if soql is None or name is None:
        return None
    row = newest_other(query(soql, False, f"reading the history of {name}"), field, ours)
    user_id = str(row.get("CreatedById") or "") if row else ""
    if not user_id:
        return None
    return describe_user(user_id, user_names(query, [user_id]).get(user_id))


def user_names(query: Query, ids: Iterable[str]) -> dict[str, str]:
    """{User id: Name} for the ids Salesforce knows (one query per 200 ids)."""
    found: dict[str, str] = {}
    for chunk in chunks(list(dict.fromkeys(i for i in ids if i)), IN_LIST_LIMIT):
        for row in query(users_query(chunk), False, "reading user names"):
            if row.get("Name"):
                found[str(row["Id"])] = str(row["Name"])
    return found


# -- what leadpact's writes landed on (connectors/overwritten.py) -------------------------
SOBJECT_OF = {LEAD: "Lead", CONTACT: "Contact", DEAL: "Opportunity", ACCOUNT: "Account"}


def verifiable(change: SetField) -> bool:
    """Salesforce keeps a tracked long text area's changes without their values: those
    fields cannot be told apart, so they are not checked."""
    spec = BY_NAME.get(change.field)
    return spec is not None and spec.kind != "long_text" and change.ref.kind in HISTORY


def window_query(kind: RecordKind, ids: Sequence[str], api_fields: Sequence[str],
                 since: datetime | None) -> str:
    """The changes to these fields of these records since `since` (the Salesforce time of
    leadpact's re-read), newest first."""
    sobject, parent = HISTORY[kind]
    soql = format_soql("SELECT Id, {:literal}, Field, OldValue, NewValue, CreatedDate FROM "
                       "{:literal} WHERE {:literal} IN {} AND Field IN {}", parent, sobject,
                       parent, list(ids), list(api_fields))
    if since is not None:
        soql += format_soql(" AND CreatedDate >= {}", since)
    return soql + " ORDER BY CreatedDate DESC, Id DESC"


# Salesforce's clocks (the Date header, whole seconds, and a history row's CreatedDate) are
# taken to agree within this: the margin before the last check's answer (an assumption).
CHECKED_MARGIN = timedelta(seconds=10)


def window_start(values_read_at: datetime | None, last_check_at: datetime | None
                 ) -> datetime | None:
    """Where the history of writes just made need be read from: the re-read before them,
    and not before the previous check's answer (less a margin). The check looks for the
    change each write made, which came after that answer; a history window reaching
    further back read the previous pages' changes again on every page (a first sync of
    10,000 people read 52 pages of ContactHistory where 31 held every row once)."""
    if values_read_at is None or last_check_at is None:
        return values_read_at
    return max(values_read_at, last_check_at - CHECKED_MARGIN)


def transitions(rows: Iterable[Row], kind: RecordKind, written: Sequence[SetField]
                ) -> dict[tuple[Ref, str], list[Transition]]:
    """History rows (newest first) as transitions per (record, canonical field)."""
    canonical = {BY_NAME[c.field].salesforce: BY_NAME[c.field] for c in written}
    parent = HISTORY[kind][1]
    found: dict[tuple[Ref, str], list[Transition]] = {}
    for row in rows:
        spec = canonical.get(str(row.get("Field")))
        if spec is None:
            continue
        key = (Ref(SALESFORCE, kind, str(row[parent])), spec.name)
        found.setdefault(key, []).append((to_canonical(spec, row.get("OldValue")),
                                          to_canonical(spec, row.get("NewValue"))))
    return found


def overwritten(query: Query, writes: Sequence[SetField], since: datetime | None
                ) -> list[Overwritten]:
    """The writes that landed on a value someone set after leadpact re-read the record:
    one history query per object and up to 450 records (full_pages)."""
    checked = [w for w in writes if verifiable(w)]
    history: dict[tuple[Ref, str], list[Transition]] = {}
    for kind in HISTORY:
        mine = [w for w in checked if w.ref.kind == kind]
        api_fields = sorted({BY_NAME[w.field].salesforce for w in mine})
        expected = Counter(w.ref.id for w in mine)  # about one history row per write
        for chunk in full_pages(expected):
            rows = query(window_query(kind, chunk, api_fields, since), False,
                         f"reading the {SOBJECT_OF[kind]} field history of the writes")
            history.update(transitions(rows, kind, mine))
    return find_overwritten(checked, history)


def full_pages(expected: Mapping[str, int], page: int = 2000) -> list[list[str]]:
    """Record ids in IN lists (450 at most) whose expected history rows fill whole query
    pages where they can: 450 records with 10 writes each are 4,500 rows, 3 pages with a
    half-empty one, where 400 of them fill 2."""
    ids = list(expected)
    out: list[list[str]] = []
    start = 0
    while start < len(ids):
        most = ids[start:start + IN_LIST_LIMIT]
        rows = sum(expected[i] for i in most)
        target = rows // page * page  # whole pages the longest list fills
        if target == 0 or start + len(most) == len(ids):  # the rest: one list anyway
            cut = len(most)
        else:
            cut, total = 0, 0
            while cut < len(most) and total + expected[most[cut]] <= target:
                total += expected[most[cut]]
                cut += 1
            cut = max(cut, 1)
        out.append(most[:cut])
        start += cut
    return out


# -- is history tracking on for leadpact's fields (`leadpact check`) ------------------------
def tracking_query(sobject: str) -> str:
    return format_soql("SELECT QualifiedApiName, IsFieldHistoryTracked FROM FieldDefinition "
                       "WHERE EntityDefinition.QualifiedApiName = {}", sobject)


def tracking_query_of(sobjects: Sequence[str]) -> str:
    """Every field of these objects with its object (a parent relationship field) and
    whether its history is kept: one query instead of one per object."""
    return format_soql("SELECT EntityDefinition.QualifiedApiName, QualifiedApiName, "
                       "IsFieldHistoryTracked FROM FieldDefinition "
                       "WHERE EntityDefinition.QualifiedApiName IN {}", list(sobjects))


def untracked(query: Query) -> CheckProblem | None:
    """leadpact's fields whose history Salesforce does not keep: a person's edit made while
    leadpact writes one of them cannot be told and is lost (one query for all objects)."""
    rows = query(tracking_query_of(HISTORY_SOBJECTS), False, "reading history tracking")
    on = {(str((r.get("EntityDefinition") or {}).get("QualifiedApiName")),
           str(r.get("QualifiedApiName"))) for r in rows if r.get("IsFieldHistoryTracked")}
    missing = [f"{sobject}.{name}" for sobject in HISTORY_SOBJECTS
               for name in sorted({f.name for f in salesforce_fields()
                                   if f.sobject == sobject and f.track_history})
               if (sobject, name) not in on]
    if not missing:
        return None
    return CheckProblem(
        f"Salesforce keeps no field history for {', '.join(missing)}: a person's edit made "
        "while leadpact writes one of these fields cannot be told apart and is lost",
        "Run `leadpact setup` (it turns history tracking on for leadpact's fields), or in "
        "Setup > Object Manager > <object> > Fields & Relationships > Set History Tracking, "
        "enable history and tick these fields", advisory=True)
