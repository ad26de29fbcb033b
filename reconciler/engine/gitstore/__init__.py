"""The `git` store: apply's journal, lease and audit trail kept in the site repository's remote.

The journal and the lease are files of one commit chain on `refs/mpr/state`; the audit trail
is git notes on the applied commits (`refs/notes/mpr`), one JSON line per write. Every change
is a local commit first, then a push that only fast-forwards (a compare-and-swap): a push
that finds the ref moved fetches it, merges (per site, per note line; never overwriting)
and tries again. Plain `git` subprocesses only: auth is whatever the checkout already has.
"""
