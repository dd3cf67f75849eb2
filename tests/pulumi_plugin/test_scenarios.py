"""The scenarios tests/pulumi_e2e asserts too (testsupport.pulumi_scenarios), run through the
provider plugin: examples/pulumi/yaml-drill, and a YAML program of 30 pages under faults; then
what only this face shows (what the CLI printed, the stack's outputs)."""

from __future__ import annotations

import re

from testsupport import pulumi_scenarios as scenarios

from .support import PRIMARY, PluginFace, Pulumi, drill, page_props, yaml_project

COUNT = 30
FAULTS = {
    "throttle_rate": 0.2,
    "error_rate": 0.1,
    "drop_rate": 0.1,
    "seed": 22,
    "operations": ["StartEngagement", "DescribeEngagement"],
    "max_faults": 40,
}


def test_preview_pages_nobody_up_pages_once_and_again_nobody(tmp_path, emulator):
    face = PluginFace(drill(tmp_path, emulator.endpoint_url))

    arn = scenarios.preview_pages_nobody_up_pages_once_and_again_nobody(face, emulator)

    (_, preview), _, (_, again) = face.steps
    assert "+ engagement:index:Engagement" in preview or "gamedayPage" in preview
    [engagement] = emulator.engagements()
    assert engagement["ContactArn"] == PRIMARY
    assert face.cli.run("stack", "output", "engagementArn").stdout.strip() == arn
    assert re.search(r"\bunchanged\b", again)


def test_refresh_shows_an_out_of_band_stop_and_destroy_stops_only_a_running_one(tmp_path, emulator):
    face = PluginFace(drill(tmp_path, emulator.endpoint_url))
    scenarios.refresh_shows_an_out_of_band_stop_and_destroy_stops_only_a_running_one(face, emulator)


def test_refresh_drops_what_the_service_forgot_and_up_pages_again(tmp_path, emulator):
    face = PluginFace(drill(tmp_path, emulator.endpoint_url))
    scenarios.refresh_drops_what_the_service_forgot_and_up_pages_again(face, emulator)


def test_thirty_engagements_with_parallel_16_under_faults_page_exactly_thirty(tmp_path, emulator):
    subjects = [f"drill {n}" for n in range(COUNT)]
    pages = {f"page{n:02d}": page_props(subject=subject) for n, subject in enumerate(subjects)}
    cli = Pulumi(tmp_path, yaml_project(tmp_path, pages), emulator.endpoint_url)
    cli.new_stack()
    scenarios.parallel_16_under_faults_pages_each_once(PluginFace(cli), emulator, subjects, FAULTS)
