"""Tests of reconciler.wix, the async Wix API client."""
