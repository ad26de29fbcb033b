"""Emulator-wide knobs (timing, auth, idling, determinism).

Per-site behaviour (published or not, connected channels, premium features, forced
failures) lives in the site fixture instead; see ``fixtures.py`` and the README.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any


@dataclass
class EmulatorConfig:
    """Knobs for one emulator instance. Defaults suit ``mpr emulator serve``."""

    generation_seconds: float = 2.0
    """Clock seconds a Generate/Regenerate run takes before it can complete."""

    keyword_research_factor: float = 3.0
    """Keyword-research regeneration takes this many times ``generation_seconds``."""

    generation_reads: int = 0
    """GetSocialMarketingPlan reads that still answer GENERATING once time is up (moto-style)."""

    posts_seconds: float = 1.0
    """Clock seconds before GenerateSocialPosts / Regenerate*Posts results appear."""

    posts_reads: int = 0
    """Post-polling reads (GetMarketingActivityPosts or GetSocialMarketingPlan) still pending."""

    posts_in_turn: bool = False
    """Post jobs end only on a polling read, one per read, in the order they were asked for:
    a run that asked for posts in several GenerateSocialPosts batches sees them batch by batch."""

    latency_seconds: float = 0.0
    """Real (asyncio) sleep added to every API request, for benchmarks."""

    idle_days: float = 42.0
    """Days without engagement after which a read flips an ACTIVE plan to INACTIVE."""

    auto_create_sites: bool = False
    """Create a fresh, published site on first use of an unknown ``wix-site-id``."""

    accepted_api_keys: frozenset[str] = field(default_factory=frozenset)
    """When non-empty, an API key not in it is answered 401 (before ``lenient_auth``)."""

    lenient_auth: bool = False
    """Accept API keys on every method. Off (faithful): Wix refuses the API key admin
    identity on this API family with 403 PERMISSION_DENIED (SPEC §1.3, §5.37)."""

    app_id: str = "5e1c7a52-6f0b-4d1e-9c3a-7b2d8e4f6a10"
    """The client id of the one Wix app registered with this emulator (not a secret here)."""

    app_secret: str = "emulator-app-secret-0f3b9d27c1e84a56"
    """Its client secret; ``mpr emulator serve`` prints both."""

    token_seconds: float = 14400.0
    """Lifetime of issued access tokens (Wix: 4 hours); short in tests of expiry."""

    seed: int | str | None = None
    """Makes generated ids deterministic (content is always deterministic)."""

    stories_every: int = 3
    """Every Nth social activity of a generation also gets an Instagram story (0: never)."""

    newer_fields: bool = False
    """Play a newer Wix API: every object of every response gains a member today's clients do
    not know (``settings.NEWER_FIELD``), and requests may carry it back (stored like any field)."""

    rate_limit_per_minute: int = 0
    """Per-site requests per (clock) minute before 429 (SPEC §5.34); 0 disables it."""

    def updated(self, changes: dict[str, Any]) -> EmulatorConfig:
        """A copy with ``changes`` applied (snake_case or lowerCamelCase keys).

        Raises ``ValueError`` naming an unknown key.
        """
        kinds = {f.name: str(f.type) for f in fields(self)}
        clean: dict[str, Any] = {}
        for key, value in changes.items():
            name = _snake(str(key))
            if name not in kinds:
                raise ValueError(f"unknown emulator config key {key!r}")
            if not _fits(kinds[name], value):
                raise ValueError(f"{key}: expected {_EXPECTED.get(kinds[name], kinds[name])}")
            clean[name] = frozenset(value) if name == "accepted_api_keys" else value
        return replace(self, **clean)

    def to_wire(self) -> dict[str, Any]:
        """The knobs as JSON (for the control plane)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = sorted(value) if isinstance(value, frozenset) else value
        return out


_EXPECTED = {
    "float": "a number",
    "int": "an integer",
    "bool": "true or false",
    "str": "a string",
    "int | str | None": "an integer, a string or null",
    "frozenset[str]": "a list of strings",
}


def _fits(kind: str, value: Any) -> bool:
    """Whether `value` suits a field declared as `kind` (a bool is no number here)."""
    if isinstance(value, bool):
        return kind == "bool"
    if kind == "float":
        return isinstance(value, int | float) and value == value and abs(value) != float("inf")
    if kind == "int":
        return isinstance(value, int)
    if kind == "str":
        return isinstance(value, str)
    if kind == "int | str | None":
        return value is None or isinstance(value, int | str)
    if kind == "frozenset[str]":
        return isinstance(value, list | tuple | set | frozenset) and all(
            isinstance(item, str) for item in value
        )
    return True


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)
