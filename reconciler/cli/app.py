"""Wiring: the one place that connects WixClient to a server (Wix, or the emulator).

`--emulator FIXTURE` runs an in-process emulator seeded from the fixture and talks to it
through an ASGI transport, signing in as the emulator's own Wix app; otherwise
WIX_API_BASE_URL (default: the public Wix API host) and each site's `auth` (default: the API
key in WIX_API_KEY) are used. The emulator is never chosen silently: a forgotten variable
must not turn a real apply into a pretend one.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    asynccontextmanager,
    nullcontext,
)
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import click
import httpx

from reconciler.cli.console import FleetDisplay, warn
from reconciler.cli.credentials import (
    EMULATOR_KEY,
    EmulatorApp,
    credential_values,
    refuse_credentials_in,
    site_credentials,
)
from reconciler.cli.store import StoreChoice
from reconciler.config import load_sites, select_sites
from reconciler.config.shard import Shard, shard_sites
from reconciler.engine.journal import FileJournal, Journal, MemoryJournal
from reconciler.engine.lock import apply_lock
from reconciler.engine.runtime import AuditTrail, Runtime
from reconciler.errors import ConfigError
from reconciler.model.site import DesiredSite
from reconciler.wix import WixClient
from reconciler.wix.auth import Redactor

if TYPE_CHECKING:
    from reconciler.emulator import Emulator

EMULATOR_BASE_URL = "http://emulator.invalid"
EMULATOR_NOTE = (
    "note: --emulator runs an emulator inside this mpr, seeded from {fixture}: what it is sent "
    "is gone when mpr exits, so the next --emulator run starts from the fixture again "
    "(`mpr emulator serve` keeps its state while it runs)"
)


@dataclass
class Hooks:
    """What tests inject through click's context object: a client and a runtime of their own."""

    client: Callable[[], AbstractAsyncContextManager[WixClient]] | None = None
    runtime: Callable[[], Runtime] | None = None


@dataclass
class App:
    """What a command needs to reach Wix, resolved from options and the environment."""

    emulator_fixture: str | None = None
    state_file: str = ".mpr/state.json"
    parallelism: int = 64
    """HTTP requests in flight at once (--max-in-flight)."""
    no_regenerate: bool = False
    force: Sequence[str] = ()
    """`apply --force`: selectors of the sites whose delete guard is passed ("*": all)."""
    selectors: Sequence[str] = ()
    shard: Shard | None = None
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    hooks: Hooks = field(default_factory=Hooks)
    redactor: Redactor = field(default_factory=Redactor)
    """Every secret of this run (keys, app secrets, tokens): masked in every output."""
    display: FleetDisplay = field(default_factory=FleetDisplay)
    """The progress of this command's fleet, on stderr (attach it to the runtime)."""
    store: StoreChoice = field(default_factory=StoreChoice)
    """Where the journal, the apply lock and the audit trail live (--store file|git)."""
    digests: Mapping[str, str] = field(default_factory=dict)
    """The files `load` read → their SHA-256, recorded in a plan (see Plan.files)."""
    _emulator: Emulator | None = field(default=None, repr=False)

    def load(self, paths: Sequence[str]) -> tuple[DesiredSite, ...]:
        """Load, select and shard the sites; print warnings; raise ConfigInvalid/SelectionEmpty.

        A selector that matches nothing is an error; a shard that holds none of the selected
        sites is not (a CI matrix may have more shards than a small fleet has sites).
        """
        result = load_sites(paths, env=self.env)
        credentials = credential_values(result.sites, self.env)
        for value in credentials.values():  # known before the first output of the run
            self.redactor.add(value)
        self.digests = dict(result.digests)
        selected = select_sites(result.sites, self.selectors)
        chosen = shard_sites(selected, self.shard)
        refuse_credentials_in(chosen, credentials)
        # A warning about a site left out (--site, --shard) is not this run's business; one
        # about a shared file (defaults) is.
        left_out = {site.source for site in result.sites} - {site.source for site in chosen}
        for problem in result.warnings:
            if problem.file not in left_out:
                warn(problem.located())
        if self.shard is not None and not chosen:
            count = len(selected)
            warn(f"shard {self.shard} holds none of the {count} selected site(s): nothing to do")
        return chosen

    @property
    def _pretend(self) -> bool:
        """An in-process emulator run, or one injected by a test: no lock, no lease."""
        return bool(self.emulator_fixture) or self.hooks.runtime is not None

    def writer_lock(
        self, timeout: float, sites: Sequence[DesiredSite] = ()
    ) -> AbstractContextManager[None]:
        """The apply lock of the state directory (none for an in-process or injected run);
        with the git store, a lease that outlasts the longest wait of `sites`."""
        if self._pretend:
            return nullcontext()
        if self.store.is_git:
            longest = max((s.policy.wait_timeout_seconds for s in sites), default=0.0)
            return self.store.lease(self.env, timeout, str(self.shard or ""), longest)
        return apply_lock(Path(self.state_file).parent, timeout)

    def guard_writes(self, client: WixClient) -> None:
        """With the git store's lease held (`writer_lock`), make every write to Wix wait for
        a check that it is still ours: a run whose lease was taken over sends nothing more."""
        if self.store.is_git and not self._pretend:
            client.before_write = self.store.lease_guard()

    def journal(self) -> Journal:
        if self.emulator_fixture:
            return MemoryJournal()
        if self.store.is_git:
            return self.store.journal(self.state_file)
        return FileJournal(self.state_file)

    def runtime(self, audit: AuditTrail | None = None) -> Runtime:
        """The engine's runtime; `audit` (the audit log) is told of every write."""
        if self.hooks.runtime is not None:
            injected = self.hooks.runtime()
            runtime = replace(injected, no_regenerate=self.no_regenerate)
            return runtime if audit is None else replace(runtime, audit=audit)
        fast = bool(self.emulator_fixture)
        runtime = Runtime(
            journal=self.journal(),
            min_poll_delay=0.2 if fast else 1.0,
            no_regenerate=self.no_regenerate,
        )
        return runtime if audit is None else replace(runtime, audit=audit)

    def emulator(self) -> Emulator:
        """The in-process emulator of `--emulator FIXTURE`, seeded once per command."""
        from reconciler.emulator import Emulator, EmulatorConfig, FixtureError

        if self._emulator is None:
            emulator = Emulator(config=EmulatorConfig(generation_seconds=1.0, posts_seconds=0.5))
            try:
                emulator.load_fixtures_file(str(self.emulator_fixture))
            except FixtureError as exc:
                raise ConfigError(str(exc)) from exc
            self._emulator = emulator
        return self._emulator

    def emulated_instance(self, site_id: str) -> str | None:
        """The emulator's app instance on `site_id` (None without --emulator or that site)."""
        if not self.emulator_fixture:
            return None
        try:
            return self.emulator().instance_id(site_id)
        except KeyError:
            return None

    def client(self, sites: Sequence[DesiredSite] = ()) -> AbstractAsyncContextManager[WixClient]:
        """A WixClient bound to Wix, or to an in-process emulator with --emulator.

        Each of `sites` signs in as its `auth` says; ConfigError before any request when a
        variable it names is missing.
        """
        if self.hooks.client is not None:
            return self.hooks.client()
        return self._client(sites)

    @asynccontextmanager
    async def _client(self, sites: Sequence[DesiredSite]) -> AsyncIterator[WixClient]:
        if not self.emulator_fixture:
            credentials = site_credentials(sites, self.env, self.redactor)
            async with WixClient.from_env(
                self.env,
                max_connections=self.parallelism,
                credentials=credentials,
                redactor=self.redactor,
            ) as client:
                yield client
            return
        emulator = self.emulator()
        click.echo(EMULATOR_NOTE.format(fixture=self.emulator_fixture), err=True)
        app = EmulatorApp(emulator.config.app_id, emulator.config.app_secret)
        credentials = site_credentials(sites, self.env, self.redactor, emulator=app)
        transport = httpx.ASGITransport(app=emulator.app)
        async with WixClient(
            base_url=EMULATOR_BASE_URL,
            api_key=self.env.get("WIX_API_KEY") or EMULATOR_KEY,
            transport=transport,
            credentials=credentials,
            redactor=self.redactor,
            max_connections=self.parallelism,
        ) as client:
            yield client
