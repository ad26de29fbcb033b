"""A poll for the end of a generation reads the status alone while it is GENERATING."""

from __future__ import annotations

import httpx
import respx

from reconciler.wix import SiteClient

from .support import api_route

ACTIVITY = {"marketingActivityId": "a-1", "title": "Sourdough week", "type": "SOCIAL_POST"}


async def test_a_generating_plan_comes_back_without_its_activities(
    router: respx.MockRouter, site: SiteClient
) -> None:
    route = api_route(router, "GET", "/marketing-plan")
    route.side_effect = [
        httpx.Response(200, json={"status": "GENERATING", "marketingActivities": [ACTIVITY]}),
        httpx.Response(200, json={"status": "ACTIVE", "marketingActivities": [ACTIVITY]}),
    ]
    generating = await site.get_social_marketing_plan(only_status_while="GENERATING")
    assert generating.status == "GENERATING" and generating.marketing_activities == []
    active = await site.get_social_marketing_plan(only_status_while="GENERATING")
    assert active.status == "ACTIVE"
    assert [a.marketing_activity_id for a in active.marketing_activities] == ["a-1"]
