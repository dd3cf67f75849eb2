"""Seed files: contacts, channels, plans and simulated responders, in YAML or JSON.

Seeding is an upsert: an existing alias is updated (display name, plan),
channels are matched by name, so a seed can be applied twice. Every generated
request is checked against botocore's model like an API call would be.

Format (see docs/emulator.md)::

    account_id: "123456789012"      # optional, default DEFAULT_ACCOUNT_ID (123456789012)
    region: us-east-1               # optional, default DEFAULT_REGION (us-east-1)
    contacts:
      - alias: alice
        display_name: Alice
        type: PERSONAL              # default PERSONAL
        channels:
          - {name: alice-sms, type: SMS, address: "+15555550101"}      # activated: true by default
        plan:
          - duration_minutes: 0
            targets: [alice-sms]    # or {channel: alice-sms, retry_interval_minutes: 1}
        responder: {acknowledge_after_seconds: 120}
      - alias: primary-oncall
        type: ESCALATION
        plan:
          - duration_minutes: 5
            targets: [{contact: alice, essential: true}]
    responders:                     # alternative to per-contact `responder`: alias -> responder
      alice:
        delay: {distribution: lognormal, median_seconds: 90, sigma: 0.5}  # or uniform / fixed
        no_answer_probability: 0.3  # this fraction of pages goes unanswered
        seed: 42                    # default: the alias
    # (also a list: [{contact: alice, acknowledge_after_minutes: 2}, ...])
    token_retention: 86400          # optional, process-wide: seconds a StartEngagement token is kept

YAML is read with a bounded loader: aliases may not expand the document past
``MAX_SEED_NODES`` nodes nor nest it past ``MAX_SEED_DEPTH`` levels (a few hundred
bytes of nested aliases would otherwise expand to millions of nodes).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from ..service.models import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_REGION,
    DELAY_DISTRIBUTIONS,
    STATE_LOCK,
    Responder,
    SSMContactsBackend,
)
from ..service.validation import validate_input
from .seed_rotations import RotationSeedError, schedule_plan, seed_rotations

__all__ = ["load_seed", "parse_seed_text"]

_CONTACT_KEYS = {"alias", "display_name", "type", "channels", "plan", "responder", "tags", "rotations"}


#: Nodes a seed may have once its aliases are expanded (a large seed has a few thousand).
MAX_SEED_NODES = 100_000
#: Nesting a seed may have (a seed needs about 6 levels).
MAX_SEED_DEPTH = 64


class SeedError(ValueError):
    """The seed document is malformed."""


def _children(node: Any) -> list[Any]:
    import yaml

    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def check_node_graph(root: Any, max_nodes: int = MAX_SEED_NODES, max_depth: int = MAX_SEED_DEPTH) -> int:
    """The size of a composed YAML node graph with every alias expanded, or SeedError past the limits.

    Aliases make the graph a DAG whose expansion can be exponential in its size, so sizes are
    counted per node (memoised, iteratively), never by expanding; a recursive alias is refused.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        key = id(node)
        if leaving:
            on_path.discard(key)
            total = 1 + sum(sizes[id(child)] for child in _children(node))
            if total > max_nodes:
                raise SeedError(f"the seed expands to more than {max_nodes} nodes (YAML aliases?): refused")
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise SeedError("the seed contains a recursive YAML alias: refused")
        on_path.add(key)
        if len(on_path) > max_depth:
            raise SeedError(f"the seed nests deeper than {max_depth} levels: refused")
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    return sizes[id(root)]


def _bounded_loader() -> type:
    import yaml

    class BoundedSafeLoader(yaml.SafeLoader):
        """SafeLoader that measures each document, aliases expanded, before constructing it."""

        def compose_document(self) -> Any:
            node = super().compose_document()
            if node is not None:
                check_node_graph(node)
            return node

    return BoundedSafeLoader


def parse_seed_text(text: str) -> dict[str, Any]:
    """YAML (a superset of JSON) into a seed document, with alias expansion and nesting bounded."""
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except RecursionError:
        raise SeedError("the seed is nested too deeply: refused") from None
    except ValueError:
        import yaml

        try:
            data = yaml.load(text, Loader=_bounded_loader())  # a SafeLoader subclass
        except RecursionError:
            raise SeedError("the seed is nested too deeply: refused") from None
        except yaml.YAMLError as error:
            raise SeedError(f"the seed is not valid YAML: {error}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SeedError("a seed document is a mapping with a `contacts` list")
    return data


def _read(path_or_dict: str | Path | dict[str, Any]) -> dict[str, Any]:
    if isinstance(path_or_dict, dict):
        return path_or_dict
    return parse_seed_text(Path(path_or_dict).read_text(encoding="utf-8"))


_RESPONDER_KEYS = {
    "contact",
    "delay",
    "no_answer_probability",
    "seed",
    "acknowledge_after_seconds",
    "acknowledge_after_minutes",
}


def _number(value: Any, where: str, minimum: float = 0.0, strict: bool = False) -> float:
    """A finite number >= minimum (> minimum when strict); the error names the key."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SeedError(f"{where}: a number, not {value!r}")
    if value < minimum or (strict and value == minimum):
        raise SeedError(f"{where}: must be {'>' if strict else '>='} {minimum:g}")
    return float(value)


def _delay(value: Any, where: str) -> tuple[str, dict[str, float]]:
    if not isinstance(value, dict):
        # `delay: 30` is a fixed delay of 30 seconds.
        return "fixed", {"seconds": _number(value, where)}
    distribution = value.get("distribution", "fixed")
    if distribution not in DELAY_DISTRIBUTIONS:
        raise SeedError(
            f"{where}.distribution: one of {', '.join(DELAY_DISTRIBUTIONS)}, not {distribution!r}"
        )
    names = DELAY_DISTRIBUTIONS[distribution]
    unknown = sorted(set(value) - {"distribution", *names})
    if unknown:
        raise SeedError(
            f"{where}: unknown keys {unknown} for a {distribution} delay (it takes {', '.join(names)})"
        )
    for name in names:
        if name not in value:
            raise SeedError(f"{where}.{name}: required for a {distribution} delay")
    params = {name: _number(value[name], f"{where}.{name}") for name in names}
    if distribution == "uniform" and params["max_seconds"] < params["min_seconds"]:
        raise SeedError(f"{where}.max_seconds: must be >= min_seconds")
    if distribution == "lognormal":
        _number(value["median_seconds"], f"{where}.median_seconds", strict=True)
    return distribution, params


def _responder(entry: Any, where: str, default_seed: str) -> Responder:
    """A responder entry (see docs/emulator.md, "Simulated responders") into a :class:`Responder`."""
    if not isinstance(entry, dict):
        raise SeedError(f"{where}: a mapping (delay, no_answer_probability, seed)")
    unknown = sorted(set(entry) - _RESPONDER_KEYS)
    if unknown:
        raise SeedError(f"{where}: unknown keys {unknown}")
    given = [
        key for key in ("delay", "acknowledge_after_seconds", "acknowledge_after_minutes") if key in entry
    ]
    if len(given) > 1:
        raise SeedError(f"{where}: give one of {', '.join(given)}")
    probability = 0.0
    if "no_answer_probability" in entry:
        probability = _number(entry["no_answer_probability"], f"{where}.no_answer_probability")
        if probability > 1:
            raise SeedError(f"{where}.no_answer_probability: must be <= 1")
    seed = entry.get("seed", default_seed)
    if isinstance(seed, bool) or not isinstance(seed, (int, str)):
        raise SeedError(f"{where}.seed: an integer or a string, not {seed!r}")
    if "delay" in entry:
        distribution, params = _delay(entry["delay"], f"{where}.delay")
    elif "acknowledge_after_seconds" in entry:
        distribution = "fixed"
        params = {
            "seconds": _number(entry["acknowledge_after_seconds"], f"{where}.acknowledge_after_seconds")
        }
    elif "acknowledge_after_minutes" in entry:
        minutes = _number(entry["acknowledge_after_minutes"], f"{where}.acknowledge_after_minutes")
        distribution, params = "fixed", {"seconds": minutes * 60}
    elif probability == 1:
        distribution, params = "fixed", {}  # never answers: no delay to draw
    else:
        raise SeedError(f"{where}: give `delay` (or acknowledge_after_seconds/acknowledge_after_minutes)")
    return Responder(distribution, params, probability, seed)


def _responder_entries(document: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """(alias, entry, where) from `responders`: a list of entries with `contact`, or alias -> entry."""
    section = document.get("responders") or []
    if isinstance(section, dict):
        return [(str(alias), entry, f"responders.{alias}") for alias, entry in section.items()]
    if not isinstance(section, list):
        raise SeedError("responders: a list of {contact: ALIAS, ...} or a mapping of alias to responder")
    out = []
    for index, entry in enumerate(section):
        where = f"responders[{index}]"
        if not isinstance(entry, dict) or not entry.get("contact"):
            raise SeedError(f"{where}.contact: required (the alias of the simulated person)")
        out.append((str(entry["contact"]), entry, where))
    return out


def _stages(
    backend: SSMContactsBackend,
    contact: dict[str, Any],
    channel_arns: dict[str, str],
    contact_arns: dict[str, str],
) -> list[dict[str, Any]]:
    kind = contact.get("type", "PERSONAL")
    stages = []
    for index, stage in enumerate(contact.get("plan") or []):
        where = f"contact {contact['alias']}, plan stage {index + 1}"
        if not isinstance(stage, dict):
            raise SeedError(f"{where}: a stage is a mapping")
        targets = []
        for target in stage.get("targets") or []:
            if isinstance(target, str):
                target = {"channel": target} if kind == "PERSONAL" else {"contact": target}
            if "channel" in target:
                name = target["channel"]
                if name not in channel_arns:
                    raise SeedError(f"{where}: unknown channel {name!r} (declare it under `channels`)")
                info: dict[str, Any] = {"ContactChannelId": channel_arns[name]}
                if target.get("retry_interval_minutes") is not None:
                    info["RetryIntervalInMinutes"] = int(target["retry_interval_minutes"])
                targets.append({"ChannelTargetInfo": info})
            elif "contact" in target:
                alias = target["contact"]
                arn = contact_arns.get(alias) or backend.contact_arn(alias)
                targets.append(
                    {
                        "ContactTargetInfo": {
                            "ContactId": arn,
                            "IsEssential": bool(target.get("essential", False)),
                        }
                    }
                )
            else:
                raise SeedError(f"{where}: a target names a `channel` or a `contact`")
        stages.append({"DurationInMinutes": int(stage.get("duration_minutes", 0)), "Targets": targets})
    return stages


def _contact_request(contact: Any) -> dict[str, Any]:
    """A seed contact as a CreateContact request (checked against the model)."""
    if not isinstance(contact, dict) or "alias" not in contact:
        raise SeedError("each contact is a mapping with an `alias`")
    unknown = set(contact) - _CONTACT_KEYS
    if unknown:
        raise SeedError(f"contact {contact['alias']}: unknown keys {sorted(unknown)}")
    alias, kind = str(contact["alias"]), contact.get("type", "PERSONAL")
    request: dict[str, Any] = {"Alias": alias, "Type": kind, "Plan": {"Stages": []}}
    if contact.get("display_name") is not None:
        request["DisplayName"] = str(contact["display_name"])
    tags = [{"Key": str(k), "Value": str(v)} for k, v in (contact.get("tags") or {}).items()]
    if tags:
        request["Tags"] = tags
    validate_input("CreateContact", request)
    return request


def _upsert_contact(backend: SSMContactsBackend, request: dict[str, Any]) -> str:
    arn = backend.contact_arn(request["Alias"])
    if arn in backend.contacts:
        backend.update_contact(arn, display_name=request.get("DisplayName"), plan=request["Plan"])
    else:
        display_name, tags = request.get("DisplayName"), request.get("Tags")
        backend.create_contact(request["Alias"], request["Type"], request["Plan"], display_name, tags)
    return arn


def _upsert_channels(backend: SSMContactsBackend, arn: str, channels: list[Any]) -> dict[str, str]:
    """The contact's channels by name (matched by name to existing ones), activated unless told not."""
    existing = {ch.name: ch for ch in backend.channels.values() if ch.contact_arn == arn}
    arns: dict[str, str] = {}
    for channel in channels:
        name, ctype = str(channel["name"]), str(channel.get("type", "EMAIL")).upper()
        address = str(channel["address"])
        request = {"ContactId": arn, "Name": name, "Type": ctype}
        validate_input("CreateContactChannel", {**request, "DeliveryAddress": {"SimpleAddress": address}})
        if name in existing:
            channel_arn = existing[name].arn
            backend.update_contact_channel(channel_arn, address=address)
        else:
            channel_arn = backend.create_contact_channel(arn, name, ctype, address, defer_activation=True)
        if channel.get("activated", True):
            backend.activate_channel_directly(channel_arn)
        arns[name] = channel_arn
    return arns


def _seed_contact(
    backend: SSMContactsBackend,
    contact: dict[str, Any],
    contact_arns: dict[str, str],
    rotation_arns: dict[str, str],
) -> dict[str, str]:
    """Upsert one contact (its ARN joins ``contact_arns``), its channels, plan and responder; an
    on-call schedule's plan names its ``rotations``.

    Returns the channels' ARNs by ``alias/name``.
    """
    request = _contact_request(contact)
    alias, kind = request["Alias"], request["Type"]
    if kind == "ONCALL_SCHEDULE":
        request["Plan"] = schedule_plan(contact, rotation_arns, backend)
    elif contact.get("rotations"):
        raise SeedError(f"contact {alias}: only an ONCALL_SCHEDULE contact has `rotations`")
    arn = contact_arns[alias] = _upsert_contact(backend, request)
    local_channels = _upsert_channels(backend, arn, contact.get("channels") or [])
    stages = _stages(backend, contact, local_channels, contact_arns)
    if stages:
        validate_input("UpdateContact", {"ContactId": arn, "Plan": {"Stages": stages}})
        backend.update_contact(arn, plan={"Stages": stages})
    if contact.get("responder"):
        where = f"contact {alias}: responder"
        if kind != "PERSONAL":
            raise SeedError(f"{where}: only a PERSONAL contact has a responder (this one is {kind})")
        if "contact" in contact["responder"]:
            raise SeedError(f"{where}.contact: not here (the responder is this contact)")
        backend.set_responder(arn, _responder(contact["responder"], where, alias))
    return {f"{alias}/{name}": channel_arn for name, channel_arn in local_channels.items()}


def _seed_responders(backend: SSMContactsBackend, document: dict[str, Any]) -> None:
    """The document's `responders` section, applied to contacts that exist by now."""
    for alias, entry, where in _responder_entries(document):
        target = backend.contacts.get(backend.contact_arn(alias))
        if target is None:
            raise SeedError(f"{where}: no contact with alias {alias!r}")
        if target.type != "PERSONAL":
            # Only people get pages; a plan's responders are the people it pages.
            raise SeedError(f"{where}: {alias} is {target.type}, a responder is a PERSONAL contact")
        if isinstance(entry, dict) and "contact" in entry and str(entry["contact"]) != alias:
            raise SeedError(f"{where}.contact: {entry['contact']!r} differs from the key {alias!r}")
        backend.set_responder(backend.contact_arn(alias), _responder(entry, where, alias))


def _apply_settings(document: dict[str, Any]) -> None:
    if "token_retention" in document:
        from .. import settings

        try:
            settings.set_settings(token_retention=document["token_retention"])
        except ValueError as error:
            raise SeedError(f"seed: {error}") from None


def load_seed(
    path_or_dict: str | Path | dict[str, Any], account_id: str | None = None, region: str | None = None
) -> dict[str, Any]:
    """Apply a seed to one account and region; returns the ARNs it created.

    The result is ``{"account_id", "region", "contacts": {alias: arn}, "channels": {"alias/name": arn}}``.

    ``account_id``/``region`` arguments win over the file's, which win over the defaults.
    """
    from .. import get_backend

    document = _read(path_or_dict)
    _apply_settings(document)
    account = str(account_id or document.get("account_id") or DEFAULT_ACCOUNT_ID)
    region_name = str(region or document.get("region") or DEFAULT_REGION)
    contacts = document.get("contacts") or []
    if not isinstance(contacts, list):
        raise SeedError("`contacts` is a list")
    backend: SSMContactsBackend = get_backend(account, region_name)
    contact_arns: dict[str, str] = {}
    channel_arns: dict[str, str] = {}
    rotation_arns: dict[str, str] = {}
    with STATE_LOCK:
        # People first (rotations and plans name them), then rotations, schedules (they name
        # rotations) and escalation plans (they may name schedules).
        order = {"PERSONAL": 0, "ONCALL_SCHEDULE": 1}
        ordered = sorted(contacts, key=lambda c: order.get(c.get("type", "PERSONAL"), 2))
        people = [c for c in ordered if c.get("type", "PERSONAL") == "PERSONAL"]
        for contact in people:
            channel_arns.update(_seed_contact(backend, contact, contact_arns, rotation_arns))
        try:
            rotation_arns.update(seed_rotations(backend, document.get("rotations") or [], contact_arns))
            for contact in ordered[len(people) :]:
                channel_arns.update(_seed_contact(backend, contact, contact_arns, rotation_arns))
        except RotationSeedError as error:
            raise SeedError(str(error)) from None
        _seed_responders(backend, document)
    return {
        "account_id": account,
        "region": region_name,
        "contacts": contact_arns,
        "channels": channel_arns,
        "rotations": rotation_arns,
    }
