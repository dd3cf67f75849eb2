"""The provider plugin's Pulumi package schema, derived from the property tables.

Served by GetSchema and committed as ``schema.json`` beside this module (the SDK generators
read that file). ``python -m pulumi_engagement.pulumi_adapter.schema --check`` fails when the
committed file differs from what the tables derive; ``--write`` refreshes it.
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..core import VERSION
from .property_schema import (
    CONFIG_FIELDS,
    DEFAULTS,
    DESCRIPTIONS,
    INPUT_FIELDS,
    OUTPUT_FIELDS,
    PACKAGE,
    REPLACE_FIELDS,
    RESOURCE_TOKEN,
    camel,
    property_spec,
    required_inputs,
)

SCHEMA_PATH = Path(__file__).with_name("schema.json")
#: Outputs always present once an engagement exists (the others appear when they have a value).
ALWAYS_OUTPUT = ("engagement_arn", "contact_arn", "start_time", "acknowledged", "pages", "wait_status")
REPOSITORY = "https://github.com/pulumi-engagement/pulumi-engagement"

RESOURCE_DESCRIPTION = """\
A page through AWS Systems Manager Incident Manager Contacts: `pulumi up` starts an engagement \
(pages the contact or escalation plan), `pulumi refresh` shows whether it stopped and who \
acknowledged, `pulumi destroy` stops it. `pulumi preview` never pages.

The same alert pages nobody while its engagement runs; once it has stopped, a new create pages \
again. Import an engagement started elsewhere (adopted without a page) with \
`pulumi import engagement:index:Engagement NAME ENGAGEMENT_ARN`.

## Example Usage

```yaml
resources:
  drill:
    type: engagement:Engagement
    properties:
      contactId: arn:aws:ssm-contacts:us-east-1:123456789012:contact/primary-oncall
      sender: gameday
      subject: "Game day: checkout is down (drill)"
      content: This is a drill. Acknowledge and join #gameday.
```
"""


def _properties(names: tuple[str, ...], replacing: bool) -> dict[str, Any]:
    props = {}
    for name in names:
        spec = property_spec(name)
        if replacing and name in REPLACE_FIELDS:
            spec["replaceOnChanges"] = True
        props[camel(name)] = spec
    return props


def _config_variables() -> dict[str, Any]:
    return {
        camel(name): {"type": "string", "description": DESCRIPTIONS[name].split(" (default")[0] + "."}
        for name in CONFIG_FIELDS
    }


def _engagement_resource() -> dict[str, Any]:
    required = required_inputs()
    outputs = (*INPUT_FIELDS, *OUTPUT_FIELDS)
    return {
        "description": RESOURCE_DESCRIPTION,
        "properties": _properties(outputs, replacing=True),
        "required": sorted(camel(n) for n in (*required, *DEFAULTS, *ALWAYS_OUTPUT)),
        "inputProperties": _properties(INPUT_FIELDS, replacing=True),
        "requiredInputs": [camel(n) for n in required],
    }


@lru_cache(maxsize=1)
def build_schema() -> dict[str, Any]:
    """The package schema as a dict (the same each call)."""
    config = _config_variables()
    return {
        "name": PACKAGE,
        "displayName": "Engagement (AWS Incident Manager Contacts)",
        "version": VERSION,
        "description": "Page people through AWS Systems Manager Incident Manager Contacts from any Pulumi "
        "language; `pulumi preview` never pages.",
        "keywords": ["pulumi", "aws", "ssm-contacts", "incident-manager", "paging", "category/monitoring"],
        "homepage": REPOSITORY,
        "repository": REPOSITORY,
        "license": "GPL-3.0-or-later",
        "publisher": "pulumi-engagement developers",
        "meta": {"moduleFormat": "(.*)"},
        "config": {"variables": config},
        "provider": {
            "description": "The engagement provider: connection defaults for every Engagement it serves.",
            "inputProperties": config,
        },
        "resources": {RESOURCE_TOKEN: _engagement_resource()},
        "language": {
            "nodejs": {
                "packageName": "@pulumi-engagement/engagement",
                "packageDescription": "Page people through AWS Incident Manager Contacts from Pulumi.",
                "dependencies": {"@pulumi/pulumi": "^3.274.0"},
                "respectSchemaVersion": True,
            },
            "go": {
                "importBasePath": "github.com/pulumi-engagement/pulumi-engagement/sdk/go/engagement",
                "generateResourceContainerTypes": True,
                "respectSchemaVersion": True,
            },
        },
    }


def schema_json() -> str:
    """The schema as committed: sorted keys, two-space indent, trailing newline."""
    return json.dumps(build_schema(), indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if schema.json differs from the tables")
    args = parser.parse_args(argv)
    wanted = schema_json()
    if args.check:
        if not SCHEMA_PATH.exists() or SCHEMA_PATH.read_text() != wanted:
            print(f"{SCHEMA_PATH}: out of date; run `make pulumi-schema`", file=sys.stderr)
            return 1
        return 0
    SCHEMA_PATH.write_text(wanted)
    print(SCHEMA_PATH)
    return 0


if __name__ == "__main__":
    sys.exit(main())
