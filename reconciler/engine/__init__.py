"""The reconcile engine: observe → diff → decide → plan → apply → wait.

Pure where it can be (diff, decide, plan), async where it must talk (observe, apply, wait,
fleet). Returns values and raises errors from reconciler.errors; never prints, never
imports click, a renderer or the emulator. Talks to Wix only through reconciler.wix.
"""
