"""A changed setting split into the leaves people read (engine.diff.setting_leaves)."""

from __future__ import annotations

from reconciler.engine.diff import Leaf, setting_leaves
from reconciler.engine.plan import SettingChange


def test_one_member_changed_is_one_leaf() -> None:
    change = SettingChange(
        "settings.businessProfile",
        {"targetAudience": "families", "valueProposition": "bread"},
        {"targetAudience": "students", "valueProposition": "bread"},
    )
    assert setting_leaves(change) == (
        Leaf("settings.businessProfile.targetAudience", "families", "students"),
    )


def test_an_object_that_appears_or_shares_no_member_is_split_per_member() -> None:
    appears = SettingChange("settings.frequency", None, {"interval": "WEEK", "count": 3})
    assert setting_leaves(appears) == (
        Leaf("settings.frequency.count", None, 3),
        Leaf("settings.frequency.interval", None, "WEEK"),
    )
    swapped = SettingChange("settings.marketingPlanGoal", {"goalKey": "X"}, {"customGoal": "y"})
    assert setting_leaves(swapped) == (
        Leaf("settings.marketingPlanGoal.customGoal", None, "y"),
        Leaf("settings.marketingPlanGoal.goalKey", "X", None),
    )


def test_a_set_names_its_members_added_and_removed() -> None:
    change = SettingChange(
        "settings.topics",
        {"included": ["bread", "cakes"], "excluded": ["discounts"]},
        {"included": ["bread", "gingerbread", "pies"], "excluded": ["discounts"]},
    )
    (leaf,) = setting_leaves(change)
    assert leaf.path == "settings.topics.included"
    assert (leaf.added, leaf.removed) == (("gingerbread", "pies"), ("cakes",))
    channels = Leaf("settings.socialChannels", None, ["FACEBOOK"])
    assert (channels.added, channels.removed) == (("FACEBOOK",), ())


def test_an_ordinary_list_or_a_value_is_one_leaf_without_members() -> None:
    free = SettingChange("settings.imageGenerationSettings", {"a": [1, 2]}, {"a": [2, 1]})
    (leaf,) = setting_leaves(free)
    assert leaf == Leaf("settings.imageGenerationSettings.a", [1, 2], [2, 1])
    assert (leaf.added, leaf.removed) == ((), ())
    tone = SettingChange("settings.toneOfVoice", "warm", None)
    assert setting_leaves(tone) == (Leaf("settings.toneOfVoice", "warm", None),)
    kind = SettingChange("settings.imageGenerationSettings", {"a": 1}, "text")
    assert setting_leaves(kind) == (Leaf("settings.imageGenerationSettings", {"a": 1}, "text"),)
