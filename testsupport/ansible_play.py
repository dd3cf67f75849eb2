"""Plays on local hosts, written as ansible-playbook reads them; shared by the Ansible tests and
the benchmarks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

#: Connection plugins for tests and benchmarks: ``target`` (modules run as on a remote host) and
#: ``refused`` (the host is unreachable).
CONNECTION_PLUGINS = Path(__file__).resolve().parent / "connection_plugins"


def write_inventory(
    path: Path, host_entries: dict[str, Any], python: str | Path, connection: str = "local"
) -> Path:
    """An inventory of ``host_entries`` (name -> host variables or None) in the group ``targets``,
    run on this machine by ``python`` over ``connection``; returns ``path``."""
    inventory = {
        "all": {
            "children": {
                "targets": {
                    "hosts": host_entries,
                    "vars": {"ansible_connection": connection, "ansible_python_interpreter": str(python)},
                }
            }
        }
    }
    path.write_text(yaml.safe_dump(inventory))
    return path


def write_local_play(
    work: Path,
    play: dict[str, Any],
    hosts: int,
    python: str | Path,
    width: int = 2,
    connection: str = "local",
) -> tuple[Path, Path]:
    """Writes ``play.yml`` (the one play) and ``inventory.yml`` (``hosts`` hosts on this machine named
    ``host-00``…, reached over ``connection``) in ``work``; returns their paths."""
    play_file = work / "play.yml"
    play_file.write_text(yaml.safe_dump([play], sort_keys=False))
    names = {f"host-{i:0{width}d}": None for i in range(hosts)}
    return play_file, write_inventory(work / "inventory.yml", names, python, connection)
