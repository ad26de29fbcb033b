"""Site aggregates: what a site file declares (`DesiredSite`) and what Wix holds (`LiveSite`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NewType

from reconciler.model.auth import ApiKeyAuth, SiteAuth
from reconciler.model.events import CalendarEvent
from reconciler.model.plan_state import PlanState
from reconciler.model.policy import Policy
from reconciler.model.settings import ManagedSettings

SiteId = NewType("SiteId", str)

NO_FILE = "live site (no file)"
"""The `source` of a site named by its id on the command line (`doctor`, `options`)."""


@dataclass(frozen=True)
class DesiredSite:
    """One site file, validated: the state its owners declared."""

    id: SiteId
    name: str
    source: str
    """The file it was read from, as given on the command line (for messages)."""
    labels: Mapping[str, str] = field(default_factory=dict)
    settings: ManagedSettings = field(default_factory=ManagedSettings)
    events: tuple[CalendarEvent, ...] = ()
    policy: Policy = field(default_factory=Policy)
    fingerprint: str = ""
    """A digest of the declared content, so a saved plan can tell that the YAML changed."""
    auth: SiteAuth = field(default_factory=ApiKeyAuth)
    """How mpr signs in to Wix for this site (the secrets stay in the environment)."""
    locations: Mapping[str, str] = field(default_factory=dict, compare=False)
    """Where some values are written (`settings.pointOfView` → `file:line:col`), for messages
    about them that only the live site can tell (an option the site does not offer)."""

    @property
    def display_name(self) -> str:
        return f"{self.name} ({self.id})" if self.name else str(self.id)

    @property
    def from_file(self) -> bool:
        return self.source != NO_FILE

    @property
    def named(self) -> str:
        """Where a message says a setting of the site comes from: its file, or the site."""
        return self.source if self.from_file else f"site {self.id}"


@dataclass(frozen=True)
class LiveSite:
    """What the Wix API holds for a site, read by engine.observe."""

    settings_document: Mapping[str, Any]
    """The raw `marketingSettings` object (settings + overrides) as GetMarketingSettings gave it."""
    events: tuple[CalendarEvent, ...]
    plan: PlanState
    notes: tuple[str, ...] = ()
    """Entries of the answers skipped as unreadable (one malformed event, draft…): warnings."""
