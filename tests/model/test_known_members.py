"""The engine's list of known setting members is the site file's, so none is diffed by mistake."""

from __future__ import annotations

from pydantic import BaseModel

from reconciler.config.documents import SettingsDoc, ToolOverrideDoc
from reconciler.model.settings import (
    KNOWN_MEMBERS,
    live_values,
    with_unknown_members,
)


def _aliases(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(f.alias or name for name, f in model.model_fields.items())


def test_known_members_are_exactly_the_site_files_object_fields() -> None:
    objects = {}
    for name, info in SettingsDoc.model_fields.items():
        inner = [a for a in getattr(info.annotation, "__args__", ()) if isinstance(a, type)]
        for kind in inner:
            if issubclass(kind, BaseModel):
                objects[info.alias or name] = _aliases(kind)
    assert objects == dict(KNOWN_MEMBERS)
    override = ToolOverrideDoc.model_fields["frequency"].annotation
    assert {a for a in getattr(override, "__args__", ()) if isinstance(a, type)} >= {
        SettingsDoc.model_fields["frequency"].annotation.__args__[0]  # type: ignore[union-attr]
    }, "a tool override's frequency has the same members as the settings'"


def test_unknown_members_are_not_read_and_are_carried_into_the_upsert() -> None:
    live = {
        "settings": {
            "frequency": {"interval": "WEEK", "count": 3, "cadence": "smart"},
            "imageGenerationSettings": {"style": "warm", "engine": "v9"},
        }
    }
    wanted = {
        "settings.frequency": {"interval": "WEEK", "count": 4},
        "settings.imageGenerationSettings": {"style": "bright"},
    }
    assert live_values(live, list(wanted), wanted) == {
        "settings.frequency": {"count": 3, "interval": "WEEK"},
        "settings.imageGenerationSettings": {"style": "warm"},
    }
    assert with_unknown_members(wanted, live) == {
        "settings.frequency": {"cadence": "smart", "interval": "WEEK", "count": 4},
        "settings.imageGenerationSettings": {"engine": "v9", "style": "bright"},
    }
