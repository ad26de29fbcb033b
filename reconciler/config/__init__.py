"""Site files on disk ↔ the domain model: knows YAML, knows nothing of HTTP.

Reads `version: 1` site files (and their shared defaults), validates them against the
pydantic documents, and returns `model.DesiredSite` values, or raises `ConfigInvalid` with
every problem found in every file. Never imports `wix`, `engine` or the emulator; `yaml` is
imported only in `yamlio`.
"""

from reconciler.config.discover import select_sites
from reconciler.config.load import CheckResult, LoadResult, check_sites, load_sites

__all__ = ["CheckResult", "LoadResult", "check_sites", "load_sites", "select_sites"]
