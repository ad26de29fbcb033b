"""`mpr doctor --record`'s masking: structure kept, free text and secrets masked, the same
text masked the same way within one recording and differently in another."""

from __future__ import annotations

from typing import Any

from reconciler.wix.auth import Redactor
from reconciler.wix.recording import Masker

TOKEN = "OAUTH2.eyJhbGciOiJIUzI1NiJ9.c2VjcmV0"


def test_structure_is_kept_and_free_text_masked() -> None:
    masker = Masker(Redactor([TOKEN]))
    answer: dict[str, Any] = {
        "marketingSettings": {
            "settings": {
                "toneOfVoice": "warm and playful",
                "marketingTools": ["SOCIAL_MARKETING"],
                "frequency": {"interval": "WEEK", "count": 3},
                "calendar": {"ids": ["0c9a4d2e-6b1f-4e8a-9d3c-5a7b2e1f4c60"]},
                "language": "",
            },
            "updatedAt": "2026-12-06T09:00:00.000Z",
        },
        "items": [{"channel": {"name": "FACEBOOK", "accountId": "123456"}, "url": "https://x/y"}],
        "note": f"Bearer {TOKEN}",
    }
    masked = masker.json(answer)
    settings = masked["marketingSettings"]["settings"]
    assert settings["toneOfVoice"].startswith("masked-")
    assert settings["marketingTools"] == ["SOCIAL_MARKETING"]
    assert settings["frequency"] == {"interval": "WEEK", "count": 3}
    assert settings["calendar"] == answer["marketingSettings"]["settings"]["calendar"]
    assert settings["language"] == ""
    assert masked["marketingSettings"]["updatedAt"] == "2026-12-06T09:00:00.000Z"
    assert masked["items"][0]["channel"] == {"name": "FACEBOOK", "accountId": "123456"}
    assert masked["items"][0]["url"].startswith("masked-")
    assert masked["note"].startswith("masked-secret-")
    assert "warm" not in str(masked) and TOKEN not in str(masked)


def test_the_same_text_masks_alike_in_one_recording_only() -> None:
    one, other = Masker(Redactor()), Masker(Redactor())
    assert one.text("Holiday Cake Sale") == one.text("Holiday Cake Sale")
    assert one.text("Holiday Cake Sale") != one.text("Holiday cake sale")
    assert one.text("Holiday Cake Sale") != other.text("Holiday Cake Sale")
