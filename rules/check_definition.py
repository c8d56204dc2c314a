"""What `leadpact rules check` finds in the lead definition beyond the schema: conditions
outside the vocabulary (with "did you mean"), stages that can never match, stage names used
twice, and a file that mixes the earlier `lead` format with the new sections."""

from __future__ import annotations

from collections.abc import Iterator

from leadpact.enrichment.engagement import CHAMPION
from leadpact.enrichment.titles import ROLES as TITLE_ROLES
from leadpact.rules.condition_problems import condition_problems
from leadpact.rules.conditions import BadCondition
from leadpact.rules.lead_parse import NEW_SECTIONS, parse_definition, unreachable_stages
from leadpact.rules.strict_yaml import Loaded, Path_, Problem

ROLES = (*TITLE_ROLES, CHAMPION)


def definition_problems(loaded: Loaded, source: str) -> Iterator[Problem]:
    data = loaded.data
    mixed = [key for key in NEW_SECTIONS if key in data]
    if "lead" in data:
        if mixed:
            yield Problem(source, loaded.line(("lead",)), ("lead",),
                          f"the earlier `lead` section and the new `{mixed[0]}` are both here; "
                          "keep one: move lead.score into fit.person and lead.stages into "
                          "stages.person (see rules/default.yaml), then remove `lead`")
        return
    for needed in ("fit", "stages"):
        if needed not in data:
            yield Problem(source, 1, (), f"missing `{needed}`; add it (the shipped "
                                         "rules/default.yaml shows every key with its meaning)")
            return
    bad = condition_problems(data, ROLES)  # every condition mistake, not only the first
    for exc in bad:
        yield Problem(source, loaded.line(exc.path), exc.path, exc.detail)
    if bad:
        return
    try:
        definition = parse_definition(data, ROLES)
    except BadCondition as exc:
        yield Problem(source, loaded.line(exc.path), exc.path, exc.detail)
        return
    for kind, stages in (("person", definition.person_stages),
                         ("account", definition.account_stages)):
        names: dict[str, int] = {}
        for index, stage in enumerate(stages):
            if stage.name in names:
                named: Path_ = ("stages", kind, index, "name")
                yield Problem(source, loaded.line(named), named,
                              f"stage `{stage.name}` is already stages.{kind}.{names[stage.name]}"
                              "; give every stage its own name")
            names.setdefault(stage.name, index)
        for index, why in unreachable_stages(stages):
            at: Path_ = ("stages", kind, index)
            yield Problem(source, loaded.line(at), at, why)
