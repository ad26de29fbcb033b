"""Each site's declared `auth` + the environment → the client's credential for that site.

Everything is checked before the first request: a variable that is unset, or whose value
cannot travel in an HTTP header, is one message naming the variable and the sites that
need it, and nothing is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reconciler.config.interpolate import SECRET_VARIABLES, names_a_secret
from reconciler.errors import ConfigError
from reconciler.model.auth import ApiKeyAuth, WixAppAuth, WixUserAuth
from reconciler.model.site import DesiredSite
from reconciler.wix.auth import Redactor, Secret, check_header_value
from reconciler.wix.credentials import (
    ApiKeyCredential,
    AppCredential,
    CommandCredential,
    Credential,
)

EMULATOR_KEY = "emulator"
"""The API key sent to an in-process emulator when the environment has none."""

_WHAT = {
    "app_id_env": "the Wix app's id",
    "app_secret_env": "the Wix app's secret",
    "env": "the API key",
}


@dataclass
class EmulatorApp:
    """The app an in-process emulator knows: it replaces whatever the environment names."""

    app_id: str
    app_secret: str


@dataclass
class _Needs:
    """Missing variables → the sites (files) that need them, in order of first need."""

    missing: dict[str, list[DesiredSite]] = field(default_factory=dict)
    invalid: dict[str, str] = field(default_factory=dict)
    purpose: dict[str, str] = field(default_factory=dict)

    def value(self, env: Mapping[str, str], name: str, purpose: str, site: DesiredSite) -> str:
        raw = env.get(name, "")
        if not raw:
            self.missing.setdefault(name, []).append(site)
            self.purpose.setdefault(name, purpose)
            return ""
        try:
            return check_header_value(raw, f"environment variable {name}")
        except ConfigError as exc:
            self.invalid[name] = str(exc)
            return ""

    def raise_if_any(self) -> None:
        messages = [
            f"environment variable {name} is not set: it holds {self.purpose[name]}, needed "
            f"by {_needed_by(sites)} (README: Connecting to Wix)"
            for name, sites in self.missing.items()
        ]
        messages += list(self.invalid.values())
        if messages:
            raise ConfigError("\n".join(messages))


def site_credentials(
    sites: Sequence[DesiredSite],
    env: Mapping[str, str],
    redactor: Redactor,
    emulator: EmulatorApp | None = None,
) -> Callable[[str], Credential | None]:
    """The credential resolver for `sites`; ConfigError listing every missing variable.

    Every secret read is handed to `redactor` first.
    """
    needs = _Needs()
    chosen: dict[str, Credential] = {}
    for site in sites:
        credential = _credential(site, env, needs, emulator)
        if credential is not None:
            chosen[site.id] = credential
    needs.raise_if_any()
    for name in _secret_variables(sites):
        redactor.add(env.get(name))
    if emulator is not None:
        redactor.add(emulator.app_secret)
    return chosen.get


MIN_CREDENTIAL = 8
"""A shorter value is not looked for in the desired values: "true" is no credential."""


def credential_values(sites: Sequence[DesiredSite], env: Mapping[str, str]) -> dict[str, str]:
    """Every credential this run can know before its first request: variable → value.

    The variables the sites' `auth` names for a secret, WIX_API_KEY and the GitHub tokens,
    and every variable whose name says it holds a secret (`names_a_secret`).
    """
    names = {*_secret_variables(sites), *SECRET_VARIABLES, *filter(names_a_secret, env)}
    return {name: env[name] for name in sorted(names) if env.get(name)}


def refuse_credentials_in(sites: Sequence[DesiredSite], credentials: Mapping[str, str]) -> None:
    """ConfigError when a desired value of `sites` holds a credential's value.

    Belt and braces behind the loader's refusal of `${SECRET}`: whatever way a secret got
    into a site's values, it would be printed by every plan and written to Wix.
    """
    secrets = {v: n for n, v in credentials.items() if len(v.strip()) >= MIN_CREDENTIAL}
    found = [
        f"{site.source}: {where} holds the value of the environment variable {name}, a "
        "credential: it would be shown by every plan and written to Wix; remove it from the "
        "site file (secrets never belong in one)"
        for site in sites
        for where, text in _desired_strings(site)
        for value, name in secrets.items()
        if value in text
    ]
    if found:
        raise ConfigError("\n".join(dict.fromkeys(found)))


def _desired_strings(site: DesiredSite) -> Iterator[tuple[str, str]]:
    """Every text a site declares that a plan shows or Wix is sent, with where it is."""
    yield "site.name", site.name
    for key, label in site.labels.items():
        yield f"site.labels.{key}", label
    for path, value in site.settings.values.items():
        yield from _strings(path, value)
    for index, event in enumerate(site.events):  # by place: the name may be what leaks
        yield from _strings(f"events[{index}]", event.to_json())


def _strings(where: str, value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, Mapping):
        for key, member in value.items():
            yield from _strings(f"{where}.{key}", member)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _strings(f"{where}[{index}]", item)


def identities(sites: Sequence[DesiredSite]) -> dict[str, str]:
    """Site id → the identity kind it signs in with (recorded in the audit log)."""
    return {site.id: site.auth.kind for site in sites}


def _secret_variables(sites: Sequence[DesiredSite]) -> set[str]:
    names = {ApiKeyAuth().env}
    for site in sites:
        auth = site.auth
        if isinstance(auth, WixAppAuth):
            names.add(auth.app_secret_env)
        elif isinstance(auth, ApiKeyAuth):
            names.add(auth.env)
    return names


def _credential(
    site: DesiredSite, env: Mapping[str, str], needs: _Needs, emulator: EmulatorApp | None
) -> Credential | None:
    auth = site.auth
    origin = f"auth of {site.named}"
    if isinstance(auth, WixAppAuth):
        if emulator is not None:
            app_id, secret = emulator.app_id, emulator.app_secret
        else:
            app_id = needs.value(env, auth.app_id_env, _WHAT["app_id_env"], site)
            secret = needs.value(env, auth.app_secret_env, _WHAT["app_secret_env"], site)
        if not (app_id and secret):
            return None
        origin = f"auth.wixApp of {site.named}"
        return AppCredential(
            app_id,
            Secret(secret),
            auth.instance_id,
            origin=origin,
            id_variable=auth.app_id_env,
            secret_variable=auth.app_secret_env,
        )
    if isinstance(auth, WixUserAuth):
        return CommandCredential(
            auth.command,
            site.id,
            cache_seconds=auth.cache_seconds,
            timeout_seconds=auth.timeout_seconds,
            origin=f"auth.wixUser.command of {site.named}",
        )
    if emulator is not None:
        key = env.get(auth.env) or EMULATOR_KEY
    else:
        key = needs.value(env, auth.env, _WHAT["env"], site)
    if not key:
        return None
    return ApiKeyCredential(Secret(key), variable=auth.env, origin=auth.env)


def _needed_by(sites: list[DesiredSite]) -> str:
    """`2 site file(s): a.yaml, b.yaml`, or `site <id>` for sites named by id."""
    unique = list(dict.fromkeys(site.named for site in sites))
    shown = ", ".join(unique[:5]) + (f" and {len(unique) - 5} more" if len(unique) > 5 else "")
    return f"{len(unique)} site file(s): {shown}" if all(s.from_file for s in sites) else shown
