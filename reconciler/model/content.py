"""What a post draft says: the text and media of its channel's content object (SPEC.md §2.3).

A Publisher item carries exactly one content object (`facebookPost`, `pinterestPost`…). Its
words are in `caption`, or in `title` and `description` for the channels that have those; its
media in `mediaWrapper.media[].url` (or `imageUrl` / `videoUrl`). The limits are the ones Wix
documents per channel; a draft over one is held back before ScheduleDrafts instead of failing
there.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

TEXT_FIELDS = ("title", "caption", "description")
"""The members of a content object that carry words, in the order they are read."""

LIMITS: Mapping[str, Mapping[str, int]] = {
    "instagramPost": {"caption": 2200},
    "pinterestPost": {"title": 100, "description": 800, "link": 2048},
    "gbpPost": {"description": 1500},
    "tiktokPhoto": {"title": 90, "description": 4000},
    "tiktokVideo": {"description": 2200},
}
"""Content object → member → the most characters Wix accepts (SPEC.md §2.3)."""


def text_parts(content: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The (member, text) pairs of a content object that carry words, non-empty ones only."""
    return [
        (name, value)
        for name in TEXT_FIELDS
        if isinstance(value := content.get(name), str) and value.strip()
    ]


def draft_text(content: Mapping[str, Any]) -> str:
    """The words a draft will post: its title and text, one per line, duplicates once.

    A channel that repeats its caption in `description` (as plan drafts do) shows it once.
    """
    seen: list[str] = []
    for _, text in text_parts(content):
        if text not in seen:
            seen.append(text)
    return "\n".join(seen)


def media_urls(content: Mapping[str, Any]) -> list[str]:
    """The URLs of the draft's media (the AI image), in order."""
    urls = [content[k] for k in ("imageUrl", "videoUrl") if isinstance(content.get(k), str)]
    wrapper = content.get("mediaWrapper")
    media = wrapper.get("media") if isinstance(wrapper, Mapping) else None
    if isinstance(media, list):
        urls += [
            m["url"] for m in media if isinstance(m, Mapping) and isinstance(m.get("url"), str)
        ]
    return urls


def content_hash(content: Mapping[str, Any]) -> str:
    """A short digest of the whole content object: its text and its media."""
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()[:16]


def over_limits(content_key: str, content: Mapping[str, Any]) -> list[str]:
    """Each member of the content object longer than Wix accepts, said in words."""
    found = []
    for name, limit in LIMITS.get(content_key, {}).items():
        value = content.get(name)
        if isinstance(value, str) and len(value) > limit:
            found.append(f"{content_key}.{name} has {len(value)} characters, over {limit}")
    return found
