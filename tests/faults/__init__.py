"""The fault suite: throttling, outages, dropped and slow answers, and troubled plans."""
