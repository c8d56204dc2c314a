"""The shared lead definition: load and validate the rules file, evaluate it on a person.

Pure apart from `load_rules`, which reads the file. A bad file raises RuleError naming the
file, the line and the field, and what to write instead.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from leadpact.enrichment.engagement import CHAMPION
from leadpact.enrichment.labels import BuyingRole
from leadpact.enrichment.staleness import StaleThresholds
from leadpact.enrichment.titles import ROLES as TITLE_ROLES
from leadpact.enrichment.titles import Override, parse_overrides
from leadpact.errors import RuleError
from leadpact.rules import strict_yaml
from leadpact.rules.check import check_text, summary
from leadpact.rules.conditions import BadCondition
from leadpact.rules.lead_model import LeadDefinition, Stage, TaskTemplate
from leadpact.rules.lead_parse import parse_definition

# Every role a person can end up with: the title's, plus the behavioural champion.
ROLES = (*TITLE_ROLES, CHAMPION)


# The committee-gap task of rules files written before it had a template (as shipped).
COMMITTEE_TASK = TaskTemplate("Buying committee gap on {deal}: no {missing}", 2)


@dataclass(frozen=True, slots=True)
class Rules:
    version: str
    lead: LeadDefinition  # fit, engagement, buying group, disqualifiers, stages
    stale: StaleThresholds
    stale_task: TaskTemplate | None
    required_roles: tuple[BuyingRole, ...]
    engaged_days: int  # buyer-side activity this recent counts as "engaged"
    title_overrides: tuple[Override, ...]
    source: str
    # Absent from a rules file: the shipped default's template; `task: null`: no such task.
    committee_task: TaskTemplate | None = None
    # A hash of everything but `version`: two files that mean the same share it (comments,
    # order and layout do not count).
    meaning: str = ""

    @property
    def stages(self) -> tuple[Stage, ...]:
        """The person stages, first match wins."""
        return self.lead.person_stages

    @property
    def account_stages(self) -> tuple[Stage, ...]:
        return self.lead.account_stages


# -- loading and validation -----------------------------------------------------------------

def default_rules_text() -> str:
    return resources.files("leadpact.rules").joinpath("default.yaml").read_text("utf-8")


def load_rules(path: Path | None = None) -> Rules:
    if path is None:
        return parse_rules(default_rules_text(), "rules/default.yaml (built in)")
    try:
        text = strict_yaml.read_text(path)
    except strict_yaml.Unreadable as exc:
        raise RuleError(str(exc.problem), path=path, line=exc.problem.line or None) from None
    return parse_rules(text, str(path))


def parse_rules(text: str, source: str) -> Rules:
    problems = check_text(text, source)  # the same lines as `leadpact rules check`
    if problems:
        raise RuleError(summary(problems, source), path=source,
                        line=problems[0].line or None)
    try:
        root = yaml.compose(text, Loader=strict_yaml.FAST_LOADER)
        data = yaml.load(text, Loader=strict_yaml.FAST_LOADER)  # a safe loader (libyaml)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        raise RuleError(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    check = _Checker(source, root)
    if not isinstance(data, dict):
        raise RuleError(f"{source}: the rules file must be a mapping with `version`, `lead`, "
                        "`deals` and `titles`")
    version = check.text(data, ("version",))
    try:
        lead = parse_definition(data, ROLES)
    except BadCondition as exc:  # check_text reports these first; kept as a backstop
        raise RuleError(f"{check.where(exc.path)}: {exc.detail}", path=source) from None
    if not lead.person_stages:
        raise RuleError(f"{check.where(('stages', 'person'))}: needs at least one stage")
    deals = check.mapping(data, ("deals",))
    thresholds = _stale_thresholds(check, check.mapping(deals, ("deals", "stale")))
    stale = deals["stale"]
    committee = check.mapping(deals, ("deals", "committee"))
    required = tuple(check.role_list(committee, ("deals", "committee", "required_roles")))
    engaged_days = check.count(committee, ("deals", "committee", "engaged_days"))
    titles = data.get("titles") or {}
    if not isinstance(titles, dict) or not isinstance(titles.get("overrides") or [], list):
        raise RuleError(f"{check.where(('titles',))}: `titles.overrides` must be a list of "
                        "{pattern: …, role: …} entries")
    try:
        overrides = parse_overrides(titles.get("overrides") or [])
    except ValueError as exc:
        raise RuleError(f"{check.where(('titles', 'overrides'))}: {exc}") from None
    committee_task = (check.task(committee, ("deals", "committee", "task"))
                      if "task" in committee else COMMITTEE_TASK)
    return Rules(version, lead, thresholds,
                 check.task(stale, ("deals", "stale", "task")), required, engaged_days,
                 overrides, source, committee_task, meaning_of(data))


def meaning_of(data: dict[str, Any]) -> str:
    content = {key: value for key, value in data.items() if key != "version"}
    text = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# deals.stale.points: signal name -> StaleThresholds field holding its weight.
STALE_POINTS = {
    "buyer_silent": "silent_points", "buyer_long_silent": "long_silent_points",
    "chasing": "chase_points", "meeting_missed": "missed_meeting_points",
    "quiet_after_first_contact": "quiet_after_first_contact_points",
    "quiet_after_proposal": "quiet_after_proposal_points", "stuck": "stage_points",
    "stuck_far": "stage_far_points", "close_date_passed": "close_date_passed_points",
    "pushed": "pushed_points", "meeting_booked": "booked_meeting_points",
    "declined": "declined_points",
}
STALE_COUNTS = ("min_deal_age_days", "silent_days", "long_silent_days", "chase_max",
                "close_date_grace_days", "max_close_date_pushes", "booked_within_days")


def _stale_thresholds(check: _Checker, stale: dict[str, Any]) -> StaleThresholds:
    at = ("deals", "stale")
    points = check.mapping(stale, (*at, "points"))
    weights: dict[str, Any] = {}
    for name in points:
        if name not in STALE_POINTS:
            raise RuleError(f"{check.where((*at, 'points', name))}: unknown signal `{name}`; "
                            f"use one of {', '.join(STALE_POINTS)}")
        weights[STALE_POINTS[name]] = check.number(points, (*at, "points", name))
    norms = check.mapping(stale, (*at, "stage_norms"))
    share = check.number(norms, (*at, "stage_norms", "percentile"))
    if not 0 < share <= 100:
        raise RuleError(f"{check.where((*at, 'stage_norms', 'percentile'))} must be between "
                        f"1 and 100, not {share!r}")
    learn = norms.get("learn_from_won_deals", True)
    if not isinstance(learn, bool):
        raise RuleError(f"{check.where((*at, 'stage_norms', 'learn_from_won_deals'))} must be "
                        "true or false")
    stage_days = check.mapping(stale, (*at, "stage_days"))
    counts: dict[str, Any] = {name: check.count(stale, (*at, name)) for name in STALE_COUNTS}
    return StaleThresholds(
        threshold=check.number(stale, (*at, "threshold")),
        **counts,
        **weights,
        stage_far_factor=check.number(norms, (*at, "stage_norms", "far_factor")),
        norm_percentile=share / 100,
        # Not learning: no won deal is ever enough.
        norm_min_deals=check.count(norms, (*at, "stage_norms", "min_deals")) if learn
        else 2**31,
        stage_days=check.count(stage_days, (*at, "stage_days", "default")),
        stage_days_by_stage=tuple(
            (str(stage), check.count(stage_days, (*at, "stage_days", stage)))
            for stage in stage_days if stage != "default"),
    )


class _Checker:
    """Reads typed values out of the parsed YAML; errors name file, line and field."""

    def __init__(self, source: str, root: yaml.Node | None):
        self.source, self.root = source, root

    def where(self, path: tuple[str | int, ...]) -> str:
        node, line = self.root, 1
        for step in path:
            if isinstance(node, yaml.MappingNode):
                node = next((v for k, v in node.value if k.value == step), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                node = node.value[step] if step < len(node.value) else None
            else:
                node = None
            if node is None:
                break
            line = node.start_mark.line + 1
        return f"{self.source}:{line}: {'.'.join(str(p) for p in path)}"

    def _get(self, parent: dict[str, Any], path: tuple[str | int, ...]) -> Any:
        key = path[-1]
        if key not in parent:
            raise RuleError(f"{self.where(path[:-1])}: missing `{key}`")
        return parent[key]

    def text(self, parent: dict[str, Any], path: tuple[str | int, ...]) -> str:
        value = self._get(parent, path)
        if not isinstance(value, (str, int, float)) or str(value).strip() == "":
            raise RuleError(f"{self.where(path)} must be a non-empty text")
        return str(value)

    def mapping(self, parent: dict[str, Any], path: tuple[str | int, ...]) -> dict[str, Any]:
        value = self._get(parent, path)
        if not isinstance(value, dict):
            raise RuleError(f"{self.where(path)} must be a mapping (key: value lines)")
        return value

    def sequence(self, parent: dict[str, Any], path: tuple[str | int, ...]) -> list[Any]:
        value = self._get(parent, path)
        if not isinstance(value, list):
            raise RuleError(f"{self.where(path)} must be a list (lines starting with '- ')")
        return value

    def count(self, parent: dict[str, Any], path: tuple[str | int, ...]) -> int:
        value = self._get(parent, path)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise RuleError(f"{self.where(path)} must be a whole number ≥ 0, not {value!r}")
        return value

    def number(self, parent: dict[str, Any], path: tuple[str | int, ...]) -> float:
        value = self._get(parent, path)
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value \
                or abs(value) > 1e6:
            raise RuleError(f"{self.where(path)} must be a number, not {value!r}")
        return float(value)

    def role_list(self, parent: dict[str, Any], path: tuple[str | int, ...]
                  ) -> list[BuyingRole]:
        roles = self.sequence(parent, path)
        for i, role in enumerate(roles):
            if role not in ROLES:
                raise RuleError(f"{self.where((*path, i))}: unknown role {role!r}; "
                                f"use one of {', '.join(ROLES)}")
        return [BuyingRole(role) for role in roles]

    def task(self, parent: dict[str, Any], path: tuple[str | int, ...]) -> TaskTemplate | None:
        if path[-1] not in parent or parent[path[-1]] is None:
            return None
        spec = self.mapping(parent, path)
        template = TaskTemplate(self.text(spec, (*path, "subject")),
                                self.count(spec, (*path, "due_in_days")))
        try:  # fail now, naming the line, rather than halfway through a sync
            template.render(name="n", title="t", deal="d", missing="m")
        except (ValueError, IndexError, KeyError, AttributeError) as exc:
            raise RuleError(f"{self.where((*path, 'subject'))}: cannot fill {template.subject!r} "
                            f"({exc}); use {{name}}, {{title}}, {{deal}} or {{missing}}, and "
                            "{{ }} for literal braces") from None
        return template
