"""mpr, the Marketing Plan Reconciler: keeps a Wix site's AI marketing plan as declared in Git."""

__version__ = "0.1.0"
