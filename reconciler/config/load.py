"""Site files on disk → validated `DesiredSite`s, with every problem in every file collected.

Per site file: read (yamlio) → refuse pasted secrets → interpolate `${ENV}` → merge the
`defaults:` include → validate (documents) → semantic checks; then across files, duplicate
site ids. Nothing stops at the first problem or the first file. Before any of it, every file
is parsed once to learn the variables its `auth` block names for a secret: no file may
interpolate one of them, whichever site names it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reconciler.config import defaults, semantics
from reconciler.config.desired import fingerprint, to_desired
from reconciler.config.discover import SiteFile, discover
from reconciler.config.documents import DefaultsDoc, SiteDoc
from reconciler.config.interpolate import credential_values, interpolate
from reconciler.config.leaks import find_known, find_secrets
from reconciler.config.tree import KeyPath, Mark, Positions, YMap
from reconciler.config.validate import READ_ONLY_MESSAGES, validate_document
from reconciler.config.yamlio import MAX_FILE_BYTES, Parsed, read_yaml
from reconciler.errors import ConfigInvalid, Problem
from reconciler.model.settings import READ_ONLY_SETTINGS
from reconciler.model.site import DesiredSite

# Every read-only field the model knows gets its message (a KeyError here means one is missing).
_SITE_SPECIAL: dict[KeyPath, str] = {
    ("settings", name): READ_ONLY_MESSAGES[name] for name in READ_ONLY_SETTINGS
}
_DEFAULTS_SPECIAL: dict[KeyPath, str] = {
    **_SITE_SPECIAL,
    ("site",): "a defaults file may not contain site: it is shared by several sites",
    ("defaults",): "a defaults file may not contain defaults: includes do not chain",
}


@dataclass(frozen=True)
class LoadResult:
    """The sites of a valid configuration, its warnings, and every file read."""

    sites: tuple[DesiredSite, ...]
    warnings: tuple[Problem, ...]
    files: tuple[str, ...]
    digests: Mapping[str, str] = field(default_factory=dict)
    """Each file read (site files and defaults) → the SHA-256 of its bytes, so a saved plan
    can name the files that changed since it was made."""


@dataclass(frozen=True)
class CheckResult:
    """Everything found, valid or not: the valid sites, every problem, every file read."""

    sites: tuple[DesiredSite, ...]
    problems: tuple[Problem, ...]
    files: tuple[str, ...]
    without_auth: tuple[str, ...] = ()
    digests: Mapping[str, str] = field(default_factory=dict)
    """As LoadResult.digests."""
    """The valid site files that declare no `auth` (nor do their defaults): the API key."""

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity != "error")


def load_sites(
    paths: Sequence[str | os.PathLike[str]],
    *,
    env: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> LoadResult:
    """Load and validate the site files under `paths` (files or directories).

    `env` defaults to os.environ and `now` to the current time. Returns the sites sorted by
    file path. Raises ConfigInvalid with every problem (warnings too) if any error exists.
    """
    result = check_sites(paths, env=env, now=now)
    if result.errors:
        raise ConfigInvalid(result.problems)
    return LoadResult(result.sites, result.warnings, result.files, result.digests)


def check_sites(
    paths: Sequence[str | os.PathLike[str]],
    *,
    env: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> CheckResult:
    """Like load_sites, but returns the problems instead of raising (for `mpr validate`)."""
    run = _Run(os.environ if env is None else env, now or datetime.now(UTC))
    site_files, problems = discover(paths)
    run.problems.extend(problems)
    run.name_credentials(site_files)
    loaded = [run.site(site_file) for site_file in site_files]
    ids = [semantics.site_id(site.tree, site.positions) for site in loaded if site]
    run.problems.extend(semantics.duplicate_ids([found for found in ids if found]))
    sites = tuple(site.desired for site in loaded if site and site.desired)
    without_auth = tuple(
        site.desired.source
        for site in loaded
        if site and site.desired and isinstance(site.tree, YMap) and "auth" not in site.tree
    )
    files = tuple(sorted(run.files))
    return CheckResult(sites, _tidy(run.problems), files, without_auth, dict(run.digests))


def _option_locations(tree: Any, positions: Positions) -> dict[str, str]:
    """`file:line:col` of the values a site's live options decide (goal, point of view, ids)."""
    found: dict[str, str] = {}

    def put(name: str, path: KeyPath) -> None:
        mark = positions.value(path)
        found[name] = f"{mark.file}:{mark.line}:{mark.column}"

    settings = tree.get("settings") if isinstance(tree, YMap) else None
    if not isinstance(settings, YMap):
        return found
    put("settings.marketingPlanGoal.goalKey", ("settings", "marketingPlanGoal", "goalKey"))
    put("settings.pointOfView", ("settings", "pointOfView"))
    calendar = settings.get("calendar")
    ids = calendar.get("ids") if isinstance(calendar, YMap) else None
    for index, value in enumerate(ids if isinstance(ids, list) else []):
        put(f"settings.calendar.ids[{index}]", ("settings", "calendar", "ids", index))
        # The ids are compared sorted: a message about one finds its place by its value.
        found.setdefault(f"settings.calendar.ids={str(value).lower()}", f"[{index}]")
    names = calendar.get("names") if isinstance(calendar, YMap) else None
    for index in range(len(names) if isinstance(names, list) else 0):
        put(f"settings.calendar.names[{index}]", ("settings", "calendar", "names", index))
    return found


@dataclass
class _Site:
    tree: Any
    positions: Positions
    desired: DesiredSite | None = None


@dataclass
class _Run:
    env: Mapping[str, str]
    now: datetime
    problems: list[Problem] = field(default_factory=list)
    files: set[str] = field(default_factory=set)
    digests: dict[str, str] = field(default_factory=dict)
    shared: dict[Path, Any] = field(default_factory=dict)
    parsed: dict[Path, Parsed] = field(default_factory=dict)
    credentials: dict[str, str] = field(default_factory=dict)
    """The variables `auth` blocks name for a secret → where one of them is named."""

    def name_credentials(self, site_files: Sequence[SiteFile]) -> None:
        """Learn the secret variables every site file (and its defaults file) names."""
        for site_file in site_files:
            tree = self.parse(site_file.path, site_file.display).tree
            self.credentials.update(credential_variables(tree, site_file.display))
            if not isinstance(tree, YMap) or "defaults" not in tree:
                continue
            mark = tree.value_marks["defaults"]
            path, display, _ = defaults.resolve(
                tree["defaults"], mark, site_file.path, site_file.root, site_file.tree_named
            )
            if path is not None:
                shared = self.parse(path, display).tree
                self.credentials.update(credential_variables(shared, display))

    def parse(self, path: Path, display: str) -> Parsed:
        key = path.resolve()
        if key not in self.parsed:
            self.parsed[key] = read_yaml(path, display)
        return self.parsed[key]

    def site(self, site_file: SiteFile) -> _Site | None:
        tree = self.read(site_file.path, site_file.display)
        if tree is None:
            return None
        if isinstance(tree, YMap) and "defaults" in tree:
            tree = self.include(tree, site_file)
        positions = Positions(tree, Mark(site_file.display, 1, 1))
        doc, problems = validate_document(SiteDoc, tree, positions, _SITE_SPECIAL)
        problems += semantics.check_site(tree, positions, self.now)
        self.problems.extend(problems)
        site = _Site(tree, positions)
        if doc is not None and not any(p.severity == "error" for p in problems):
            desired = to_desired(doc, site_file.display, fingerprint(tree))
            site.desired = replace(desired, locations=_option_locations(tree, positions))
        return site

    def read(self, path: Path, display: str) -> Any:
        """Parse, scan for secrets and interpolate one file; None when it is unusable."""
        self.files.add(display)
        with suppress(OSError), path.open("rb") as stream:  # read_yaml reports a failed read
            # no further than read_yaml reads: a bigger file is refused, and may be huge
            self.digests[display] = hashlib.sha256(stream.read(MAX_FILE_BYTES + 1)).hexdigest()
        parsed = self.parse(path, display)
        self.problems.extend(parsed.problems)
        if parsed.empty:
            self.problems.append(Problem(display, 1, 1, "", "the file is empty"))
        if parsed.tree is None:
            return None
        known = credential_values(self.env, self.credentials)
        self.problems.extend(find_secrets(parsed.tree, known))
        tree, problems = interpolate(parsed.tree, self.env, Mark(display, 1, 1), self.credentials)
        self.problems.extend(problems)
        self.problems.extend(find_known(tree, known))  # the same place, told once (_tidy)
        return tree

    def include(self, tree: YMap, site_file: SiteFile) -> YMap:
        """The site tree with its defaults merged under it (and without the `defaults` key)."""
        site = YMap(tree.mark)
        for key in tree:
            if key != "defaults":
                site.copy_entry(tree, key)
        mark = tree.value_marks["defaults"]
        path, display, problems = defaults.resolve(
            tree["defaults"], mark, site_file.path, site_file.root, site_file.tree_named
        )
        self.problems.extend(problems)
        shared = self.load_shared(path, display) if path else None
        return defaults.merge(shared, site) if isinstance(shared, YMap) else site

    def load_shared(self, path: Path, display: str) -> Any:
        key = path.resolve()
        if key not in self.shared:
            self.shared[key] = tree = self.read(path, display)
            if tree is not None:
                positions = Positions(tree, Mark(display, 1, 1))
                _, problems = validate_document(DefaultsDoc, tree, positions, _DEFAULTS_SPECIAL)
                self.problems.extend(problems)
        return self.shared[key]


_SECRET_FIELDS = (("wixApp", "appSecretEnv"), ("apiKey", "env"))
"""Where an `auth` block names a secret's variable. The app id (`appIdEnv`) is no secret:
Wix shows it in every install link of the app, and a site file may use it."""


def credential_variables(tree: Any, display: str) -> dict[str, str]:
    """The variables the `auth` block of a raw site or defaults tree names for a secret."""
    auth = tree.get("auth") if isinstance(tree, YMap) else None
    found: dict[str, str] = {}
    for kind, key in _SECRET_FIELDS:
        block = auth.get(kind) if isinstance(auth, YMap) else None
        name = block.get(key) if isinstance(block, YMap) else None
        if isinstance(block, YMap) and isinstance(name, str) and name:
            mark = block.value_marks.get(key, block.mark)
            found[name] = f"auth.{kind}.{key} at {display}:{mark.line}:{mark.column}"
    return found


def _tidy(problems: list[Problem]) -> tuple[Problem, ...]:
    """Drop repeats and sort: a defaults file's values are checked as DefaultsDoc and again
    inside every merged site that includes it, so the same problem can come twice."""
    seen: set[tuple[str, int, int, str, str]] = set()
    unique = []
    for problem in problems:
        key = (problem.file, problem.line, problem.column, problem.message, problem.severity)
        if key not in seen:
            seen.add(key)
            unique.append(problem)
    return tuple(sorted(unique, key=lambda p: (p.file, p.line, p.column)))
