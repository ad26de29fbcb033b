"""The live plan as the engine sees it: status, activities and their post/story drafts."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from reconciler.model.content import content_hash, draft_text, media_urls

NEVER_CREATED = "NEVER_CREATED"
GENERATING = "GENERATING"
ACTIVE = "ACTIVE"
INACTIVE = "INACTIVE"
FAILED = "FAILED"

SOCIAL_ACTIVITY = "SOCIAL_MARKETING"
DRAFT = "DRAFT"
SCHEDULED = "SCHEDULED"
PUBLISHED = "PUBLISHED"
POSTED = frozenset({SCHEDULED, PUBLISHED})
"""A draft in one of these has left (or will leave) for its channel: never schedule another."""


@dataclass(frozen=True)
class Draft:
    """One post or story draft (a Publisher item) of an activity."""

    id: str
    channel: str
    type: str
    status: str
    account_id: str | None = None
    """The connected account; SPEC.md §5.20: absent when the channel is not connected."""
    content_key: str = ""
    """Which content object the item carries (`facebookPost`…); "" when none was found."""
    content: Mapping[str, Any] = field(default_factory=dict, hash=False)
    """That content object as Wix sent it: the words and the media that will be posted."""

    @functools.cached_property
    def text(self) -> str:
        return draft_text(self.content)

    @property
    def image(self) -> str:
        """The first media URL (the activity's AI image), or ""."""
        return next(iter(media_urls(self.content)), "")

    @functools.cached_property
    def digest(self) -> str:
        """A short hash of the content object: what a review of its words and media covers."""
        return content_hash(self.content)


@dataclass(frozen=True)
class Activity:
    """One activity of the plan, with the drafts generated for it so far."""

    id: str
    date: datetime | None
    title: str
    type: str | None
    drafts: tuple[Draft, ...] = ()

    @property
    def has_posts(self) -> bool:
        """Whether any post (not story) draft exists, whatever its status."""
        return any(d.type != "STORY" for d in self.drafts)


@dataclass(frozen=True)
class PlanState:
    """Status and activities as GetSocialMarketingPlan returned them."""

    status: str
    activities: tuple[Activity, ...] = field(default_factory=tuple)
