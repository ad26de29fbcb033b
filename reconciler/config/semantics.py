"""Checks a schema cannot express: rules across fields, across files, and against the clock.

They run on the merged tree (not on validated models) so that they still report when some
other field of the same file is wrong: one mistake never hides another. Anything of the
wrong type is skipped here; validation reports it.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from reconciler.config import values
from reconciler.config.tree import KeyPath, Mark, Positions, YList, YMap, format_path
from reconciler.errors import Problem
from reconciler.model import enums

AUTH_KINDS = ("wixApp", "wixUser", "apiKey")


def check_site(tree: Any, positions: Positions, now: datetime) -> list[Problem]:
    """Every cross-field and clock-dependent problem of one merged site document."""
    if not isinstance(tree, YMap):
        return []
    check = _Checker(positions, now)
    check.events(tree.get("events"))
    settings = tree.get("settings")
    if isinstance(settings, YMap):
        check.goal(settings.get("marketingPlanGoal"))
        check.topics(settings.get("topics"))
    check.schedule(tree)
    check.auth(tree.get("auth"))
    return check.problems


def duplicate_ids(sites: Sequence[tuple[str, Mark]]) -> list[Problem]:
    """One problem at each declaration of a site id that more than one file declares."""
    problems = []
    for index, (site_id, mark) in enumerate(sites):
        others = [m for i, (s, m) in enumerate(sites) if s == site_id and i != index]
        if others:
            where = ", ".join(f"{m.file}:{m.line}" for m in others)
            message = f"duplicate site id {site_id}: also declared in {where}"
            problems.append(Problem(mark.file, mark.line, mark.column, "site.id", message))
    return problems


def site_id(tree: Any, positions: Positions) -> tuple[str, Mark] | None:
    """The site id a document declares, lower-cased, with where (None when not a GUID)."""
    site = tree.get("site") if isinstance(tree, YMap) else None
    raw = site.get("id") if isinstance(site, YMap) else None
    try:
        return values.guid(raw), positions.value(("site", "id"))
    except ValueError:
        return None


class _Checker:
    def __init__(self, positions: Positions, now: datetime) -> None:
        self.positions = positions
        self.now = now
        self.problems: list[Problem] = []

    def report(self, path: KeyPath, message: str, severity: str = "error") -> None:
        mark = self.positions.value(path)
        problem = Problem(mark.file, mark.line, mark.column, format_path(path), message, severity)
        self.problems.append(problem)

    def events(self, events: Any) -> None:
        if not isinstance(events, YList):
            return
        first: dict[str, KeyPath] = {}
        for index, event in enumerate(events):
            if not isinstance(event, YMap):
                continue
            path: KeyPath = ("events", index)
            self.event_kind(event, path)
            self.event_dates(event, path)
            name = event.get("name")
            if isinstance(name, str) and name and not name.strip():
                self.report(
                    (*path, "name"),
                    "is only white space: Wix refuses such a name on every apply; give the "
                    "event a name",
                )
            elif isinstance(name, str) and name in first:
                where = self.first(first[name], (*path, "name"))
                self.report((*path, "name"), f"duplicate event name {name!r} ({where})")
            elif isinstance(name, str):
                first[name] = (*path, "name")

    def first(self, path: KeyPath, again: KeyPath) -> str:
        """Where the first of two is, said from the file the second (`again`) is in."""
        mark = self.positions.value(path)
        return f"first at {format_path(path)}, {_where(mark, self.positions.value(again).file)}"

    def event_kind(self, event: YMap, path: KeyPath) -> None:
        dated, ruled = event.get("date") is not None, event.get("recurringRule") is not None
        if not dated and not ruled:
            self.report(path, "give date (a one-off event) or recurringRule (a recurring one)")
        elif dated and ruled:
            self.report(
                path,
                "has both date and recurringRule: keep date for a one-off event or recurringRule"
                " for a recurring one (Wix would ignore date)",
            )

    def event_dates(self, event: YMap, path: KeyPath) -> None:
        rule = event.get("recurringRule")
        if isinstance(rule, YMap):
            self.rule(rule, (*path, "recurringRule"))
        elif (date := _moment(event.get("date"))) is not None and date < self.now:
            self.report(
                (*path, "date"),
                f"{event['date']} is in the past: the plan no longer uses this event;"
                " move or remove it",
                "warning",
            )

    def rule(self, rule: YMap, path: KeyPath) -> None:
        start, end = _moment(rule.get("startDate")), _moment(rule.get("endDate"))
        if start is None or end is None:
            return
        if end < start:
            self.report(
                (*path, "endDate"),
                f"the rule never fires: endDate {rule['endDate']} is before startDate"
                f" {rule['startDate']}",
            )
        elif end < self.now:
            self.report(
                (*path, "endDate"),
                f"the rule ended on {rule['endDate']}: the event will not happen again",
                "warning",
            )

    def goal(self, goal: Any) -> None:
        if not isinstance(goal, YMap):
            return
        keyed, custom = goal.get("goalKey") is not None, goal.get("customGoal") is not None
        path: KeyPath = ("settings", "marketingPlanGoal")
        if keyed and custom:
            self.report(path, "give goalKey or customGoal, not both")
        elif not keyed and not custom:
            self.report(path, "give goalKey (a preset goal) or customGoal (one in your own words)")

    def topics(self, topics: Any) -> None:
        if not isinstance(topics, YMap):
            return
        included = set(_strings(topics.get("included")))
        for index, topic in _items(topics.get("excluded")):
            if isinstance(topic, str) and topic in included:
                path: KeyPath = ("settings", "topics", "excluded", index)
                self.report(path, f"{topic!r} is both included and excluded")

    def schedule(self, tree: YMap) -> None:
        policy = tree.get("policy")
        schedule = policy.get("schedule") if isinstance(policy, YMap) else None
        schedule = schedule if isinstance(schedule, YMap) else YMap(tree.mark)
        if schedule.get("enabled") is False:
            return
        self.social_tool(tree.get("settings"))
        for index, channel in _items(schedule.get("channels")):
            if channel == "TWITTER" and self.now.date().isoformat() > enums.TWITTER_SUNSET:
                self.report(
                    ("policy", "schedule", "channels", index),
                    f"TWITTER takes no plan posts after {enums.TWITTER_SUNSET}: nothing will be"
                    " scheduled there",
                    "warning",
                )

    def auth(self, auth: Any) -> None:
        if not isinstance(auth, YMap):
            return
        kinds = [kind for kind in AUTH_KINDS if auth.get(kind) is not None]
        if len(kinds) != 1:
            given = f" (given: {', '.join(kinds)}; a defaults file may set one already)"
            self.report(
                ("auth",),
                f"give exactly one of {', '.join(AUTH_KINDS)}" + (given if kinds else ""),
            )
            return
        app = auth.get("wixApp")
        if isinstance(app, YMap) and app.get("instanceId") is None:
            self.report(
                ("auth", "wixApp"),
                "instanceId is required: the app's instance id on this site (README: "
                "Connecting to Wix)",
            )
        user = auth.get("wixUser")
        command = user.get("command") if isinstance(user, YMap) else None
        if isinstance(command, str):
            self.command(command)

    def command(self, command: str) -> None:
        path: KeyPath = ("auth", "wixUser", "command")
        try:
            parts = shlex.split(command)
        except ValueError as exc:
            self.report(path, f"cannot be split into words like a shell would: {exc}")
            return
        if not parts or not parts[0].strip():  # `''` is a word, but names no program
            self.report(path, "names no program to run")
            return
        for part in parts:
            try:
                part.format(siteId="", instanceId="")
            except (KeyError, IndexError, ValueError, AttributeError):
                self.report(
                    path,
                    "may use only the placeholders {siteId} and {instanceId} "
                    "(write {{ and }} for literal braces)",
                )
                return

    def social_tool(self, settings: Any) -> None:
        tools = settings.get("marketingTools") if isinstance(settings, YMap) else None
        if isinstance(tools, YList) and "SOCIAL_MARKETING" not in tools:
            self.report(
                ("settings", "marketingTools"),
                "has no SOCIAL_MARKETING, so there are no social posts to schedule;"
                " set policy.schedule.enabled: false",
                "warning",
            )


def _where(mark: Mark, file: str) -> str:
    return f"line {mark.line}" if mark.file == file else f"{mark.file}:{mark.line}"


def _moment(value: Any) -> datetime | None:
    try:
        return values.timestamp(value)
    except ValueError:
        return None


def _strings(items: Any) -> Iterator[str]:
    return (item for _, item in _items(items) if isinstance(item, str))


def _items(items: Any) -> Iterator[tuple[int, Any]]:
    return enumerate(items) if isinstance(items, YList) else iter(())
