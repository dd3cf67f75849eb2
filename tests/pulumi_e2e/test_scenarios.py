"""The scenarios tests/pulumi_plugin asserts too (testsupport.pulumi_scenarios), run through the
dynamic resource; then what only this face shows (the engine's change summary of each step)."""

from __future__ import annotations

from testsupport import pulumi_scenarios as scenarios

from . import programs
from .support import DynamicFace, Project, Service

COUNT = 50
FAULTS = {
    "throttle_rate": 0.2,
    "drop_rate": 0.1,
    "seed": 18,
    "operations": ["StartEngagement", "DescribeEngagement"],
}


def test_preview_pages_nobody_up_pages_once_and_again_nobody(project: Project, service: Service) -> None:
    face = DynamicFace(project, programs.pages("drill"))

    arn = scenarios.preview_pages_nobody_up_pages_once_and_again_nobody(face, service)

    assert face.steps == [("preview", {"create": 2}), ("up", {"create": 2}), ("up", {"same": 2})]
    assert face.stack.outputs()["drill_arn"].value == arn


def test_refresh_shows_an_out_of_band_stop_and_destroy_stops_only_a_running_one(
    project: Project, service: Service
) -> None:
    face = DynamicFace(project, programs.pages("drill"))

    scenarios.refresh_shows_an_out_of_band_stop_and_destroy_stops_only_a_running_one(face, service)

    # The engine counts only a change of inputs as one: the refresh that read the stop is "same".
    assert [summary for _, summary in face.steps] == [
        {"create": 2},
        {"delete": 2},
        {"create": 2},
        {"same": 2},
        {"delete": 2},
    ]


def test_refresh_drops_what_the_service_forgot_and_up_pages_again(project: Project, service: Service) -> None:
    face = DynamicFace(project, programs.pages("drill"))

    scenarios.refresh_drops_what_the_service_forgot_and_up_pages_again(face, service)

    assert face.steps == [
        ("up", {"create": 2}),
        ("refresh", {"delete": 1, "same": 1}),
        ("up", {"create": 1, "same": 1}),
    ]


def test_fifty_engagements_with_parallel_16_under_throttling_and_dropped_answers(
    project: Project, service: Service
) -> None:
    face = DynamicFace(project, programs.numbered_pages(COUNT))
    subjects = [programs.numbered_subject(i) for i in range(COUNT)]

    scenarios.parallel_16_under_faults_pages_each_once(face, service, subjects, FAULTS)

    injected = service.control.injected("StartEngagement")
    assert injected["throttled"] > 0 and injected["dropped"] > 0, "the faults were exercised"
    assert face.steps == [("up", {"create": COUNT + 1})]
