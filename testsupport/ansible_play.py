"""Plays on local hosts, written as ansible-playbook reads them; shared by the Ansible tests and
the benchmarks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def write_inventory(path: Path, host_entries: dict[str, Any], python: str | Path) -> Path:
    """An inventory of ``host_entries`` (name -> host variables or None) in the group ``targets``,
    run locally by ``python``; returns ``path``."""
    inventory = {
        "all": {
            "children": {
                "targets": {
                    "hosts": host_entries,
                    "vars": {"ansible_connection": "local", "ansible_python_interpreter": str(python)},
                }
            }
        }
    }
    path.write_text(yaml.safe_dump(inventory))
    return path


def write_local_play(
    work: Path, play: dict[str, Any], hosts: int, python: str | Path, width: int = 2
) -> tuple[Path, Path]:
    """Writes ``play.yml`` (the one play) and ``inventory.yml`` (``hosts`` local hosts named
    ``host-00``…) in ``work``; returns their paths."""
    play_file = work / "play.yml"
    play_file.write_text(yaml.safe_dump([play], sort_keys=False))
    names = {f"host-{i:0{width}d}": None for i in range(hosts)}
    return play_file, write_inventory(work / "inventory.yml", names, python)
