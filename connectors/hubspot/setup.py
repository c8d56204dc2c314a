"""`leadpact setup` for HubSpot: the `leadpact` property group and every leadpact_*
property, created through hubspot-api-client's properties and groups APIs; only what is
missing, and only once the private app is known to have the schema write scopes it takes.
Everything is read first, so the number of steps is known before the first is done."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from leadpact import crm_schema
from leadpact.connectors.base import CheckProblem, SetupResult
from leadpact.connectors.hubspot import mapping, scopes
from leadpact.connectors.observe import NO_SETUP_OBSERVER, SetupObserver

Todo = list[tuple[str, str, dict[str, Any]]]  # (object type, "group" | "property", body)


class HubSpotSetup:
    def __init__(self, call: Any, apis: Any, timeout: float, host: str,
                 private_app_token: str | None, property_names: Callable[[str], set[str]]):
        """The connector's retrying `call` and client `apis`; `private_app_token` is None
        for OAuth (HubSpot reports no scopes for those)."""
        self._call, self._apis, self._timeout = call, apis, timeout
        self.host, self._private_app_token = host, private_app_token
        self._property_names = property_names

    def create_missing_properties(self, dry_run: bool = False,
                                  wanted: Mapping[str, list[dict[str, Any]]] | None = None,
                                  observer: SetupObserver = NO_SETUP_OBSERVER) -> list[str]:
        """Create the `leadpact` property group and every missing leadpact_* property
        (`wanted`: PropertyCreate bodies per object type; default: those a sync writes);
        returns what was created (on a dry run: would be) as "type.property". Everything is
        read first, so `observer` hears the number of steps before the first is done."""
        return self._create_schema(self._missing_schema(wanted or mapping.leadpact_properties()),
                                   dry_run, observer)

    def _create_schema(self, todo: Todo, dry_run: bool,
                       observer: SetupObserver) -> list[str]:
        if not dry_run:
            observer.setup_planned("hubspot", len(todo))
        created = []
        for object_type, kind, body in todo:
            is_group = kind == "group"
            what = (f"{object_type} property group {body['name']}" if is_group
                    else f"{object_type}.{body['name']}")
            if not dry_run:
                create = self._apis.groups.create if is_group else self._apis.properties.create
                self._call(f"creating {what}", partial(create, object_type, body,
                                                       _request_timeout=self._timeout))
                observer.setup_done("hubspot", f"created {what}")
            created.append(what)
        return created

    def _missing_schema(self, wanted: Mapping[str, list[dict[str, Any]]]
                        ) -> Todo:
        """(object type, "group" or "property", its create body) still to create, each
        object type's group before its properties."""
        todo: Todo = []
        for object_type, bodies in wanted.items():
            groups = self._call(
                f"reading the {object_type} property groups",
                partial(self._apis.groups.get_all, object_type, _request_timeout=self._timeout))
            if mapping.LEADPACT_GROUP not in {g.name for g in groups.results or []}:
                group = {"name": mapping.LEADPACT_GROUP, "label": "leadpact", "displayOrder": -1}
                todo.append((object_type, "group", group))
            existing = self._property_names(object_type)
            todo += [(object_type, "property", body) for body in bodies
                     if body["name"] not in existing]
        return todo

    def run(self, dry_run: bool, observer: SetupObserver) -> SetupResult:
        """Read what exists, check the app may create what is missing, then (unless a dry
        run, or it may not) create it, telling `observer` the steps."""
        wanted = crm_schema.hubspot_setup_properties()
        todo = self._missing_schema(wanted)
        lacking = self._lacking_schema_scopes(todo)
        held = dry_run or bool(lacking)
        verb = "would create" if held else "created"
        made = self._create_schema(todo, held, observer)
        problems = self._mismatches(wanted)
        if lacking:  # said before anything is changed, and nothing is
            problems.append(CheckProblem(
                f"the HubSpot private app lacks the scopes {', '.join(lacking)} that creating "
                "leadpact's properties needs, so setup changed nothing",
                "add them in HubSpot (Settings > Integrations > Private Apps > Scopes), then "
                "set LEADPACT_HUBSPOT_TOKEN to the app's new token and run `leadpact setup` "
                "again"))
        return SetupResult([f"{verb} {what}" for what in made], problems, stopped=bool(lacking))

    def _lacking_schema_scopes(self, todo: Todo
                               ) -> list[str]:
        """Schema write scopes the groups and properties still to create need and the
        private app lacks (nothing when HubSpot does not say, e.g. for OAuth tokens)."""
        if not self._private_app_token:
            return []
        needed = scopes.schema_scopes(object_type for object_type, _, _ in todo)
        if not needed:
            return []
        granted = scopes.token_scopes(self.host, self._private_app_token, self._timeout)
        return scopes.missing_scopes(granted, needed) if granted is not None else []

    def _mismatches(self, wanted: Mapping[str, list[dict[str, Any]]]) -> list[CheckProblem]:
        """Properties under leadpact's names whose type or options leadpact cannot use
        (reported, never changed: they may hold someone's data)."""
        problems = []
        for object_type, bodies in wanted.items():
            response = self._call(f"reading the {object_type} property list", partial(
                self._apis.properties.get_all, object_type, archived=False,
                _request_timeout=self._timeout))
            found = {str(p.name): p for p in response.results or []}
            for body in bodies:
                prop = found.get(body["name"])
                if prop is None:
                    continue  # a dry run: still to be created
                options = {str(o.value) for o in prop.options or []}
                absent = [o["value"] for o in body.get("options", []) if o["value"] not in options]
                if (prop.type, prop.field_type) != (body["type"], body["fieldType"]) or absent:
                    problems.append(CheckProblem(
                        f"HubSpot {object_type}.{body['name']} is {prop.type}/{prop.field_type}"
                        f"{' without ' + ', '.join(absent) if absent else ''}, leadpact needs "
                        f"{body['type']}/{body['fieldType']}",
                        "change it in HubSpot (Settings > Properties), or delete it and run "
                        "`leadpact setup` again"))
        return problems
