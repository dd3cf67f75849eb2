"""The page's options are written in the docs by hand: they must be the core's StartRequest fields."""

from __future__ import annotations

from dataclasses import fields

import yaml

from ansible_collections.incident_manager.contacts.plugins.doc_fragments.page import ModuleDocFragment
from ansible_collections.incident_manager.contacts.plugins.module_utils import engagement_task
from ansible_collections.incident_manager.contacts.plugins.module_utils.engagement_core import (
    Engagement,
    page_fields,
    request_field_names,
)
from ansible_collections.incident_manager.contacts.plugins.modules import engagement, engagement_info


def documented(text: str) -> dict:
    return yaml.safe_load(text)["options"]


def test_the_page_fragment_documents_every_request_field():
    assert list(documented(ModuleDocFragment.DOCUMENTATION)) == list(request_field_names())


def test_the_module_takes_exactly_the_documented_options():
    options = {**documented(engagement.DOCUMENTATION), **documented(ModuleDocFragment.DOCUMENTATION)}
    assert set(engagement_task.argument_spec()) == set(options)
    assert set(engagement_task.PAGE_OPTIONS) == set(request_field_names())


def test_secure_options_are_no_log_and_the_others_are_not():
    spec = engagement_task.argument_spec()
    assert {f.name for f in page_fields() if f.secure} == {
        n for n in engagement_task.PAGE_OPTIONS if spec[n]["no_log"]
    }


def test_the_required_options_are_the_model_s():
    assert engagement_task.required_to_page() == ["contact_id", "sender", "subject", "content"]


def test_the_returned_engagement_is_documented_field_by_field():
    names = [f.name for f in fields(Engagement)]
    assert list(yaml.safe_load(engagement.RETURN)["engagement"]["contains"]) == [*names, "idempotency_token"]
    assert set(yaml.safe_load(engagement_info.RETURN)["engagement"]["sample"]) <= set(names)
