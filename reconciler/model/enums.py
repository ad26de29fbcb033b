"""The closed value sets of SPEC.md §2.7 that a site file may use.

Desired state is checked against these; live state is not (a value the server adds later
must never crash mpr), so the engine treats live enum values as plain strings.
"""

from __future__ import annotations

PLAN_GOALS = ("DRIVE_TRAFFIC", "BRAND_AWARENESS", "BOOST_SALES", "COLLECT_LEADS")
MARKETING_TOOLS = ("SOCIAL_MARKETING", "BLOGS", "EMAIL_MARKETING")
SOCIAL_CHANNELS = ("FACEBOOK", "INSTAGRAM", "LINKEDIN", "PINTEREST", "GBP", "TIKTOK", "TWITTER")
POINTS_OF_VIEW = ("FIRST_PERSON", "SECOND_PERSON", "THIRD_PERSON")
FREQUENCY_INTERVALS = ("WEEK", "MONTH", "YEAR")
RECURRENCE_FREQUENCIES = ("WEEKLY", "MONTHLY", "YEARLY")
OVERRIDE_TOOLS = ("socialMarketing", "emailMarketing", "blogs")

FREQUENCY_COUNT_MIN = 1
FREQUENCY_COUNT_MAX = 30

# TWITTER (X) stops working for plan posts after this date (SPEC.md §1.12).
TWITTER_SUNSET = "2026-07-31"
