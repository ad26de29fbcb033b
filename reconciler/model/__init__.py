"""The domain: what a site's marketing state *is*, desired (from YAML) and live (from Wix) alike.

Plain frozen values and pure helpers only: no I/O, no HTTP, no YAML, no click.
`config` builds `DesiredSite` from files; `engine.observe` builds `LiveSite` from the API.
"""
