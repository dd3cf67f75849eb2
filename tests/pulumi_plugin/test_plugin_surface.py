"""The plugin's surface: schema from the tables, `pulumi package get-schema`, version, the launcher."""

from __future__ import annotations

import json
import subprocess
import sys

from pulumi_engagement.core import VERSION
from pulumi_engagement.pulumi_adapter import properties
from pulumi_engagement.pulumi_adapter.property_schema import DESCRIPTIONS, OUTPUT_FIELDS, camel, snake
from pulumi_engagement.pulumi_adapter.schema import SCHEMA_PATH, build_schema, schema_json

from .support import Pulumi, plugin_bin

RESOURCE = build_schema()["resources"]["engagement:index:Engagement"]


def test_the_committed_schema_is_the_one_the_tables_derive():
    assert SCHEMA_PATH.read_text() == schema_json()


def test_the_schema_follows_the_dynamic_providers_tables():
    inputs = RESOURCE["inputProperties"]
    assert [snake(name) for name in inputs] == list(properties.INPUT_FIELDS)
    assert set(RESOURCE["properties"]) == {camel(n) for n in (*properties.INPUT_FIELDS, *OUTPUT_FIELDS)}
    assert {snake(n) for n, spec in inputs.items() if spec.get("replaceOnChanges")} == set(
        properties.REPLACE_FIELDS
    )
    assert {snake(n) for n, spec in inputs.items() if spec.get("secret")} == set(properties.SECRET_FIELDS)
    assert RESOURCE["requiredInputs"] == ["contactId", "sender", "subject", "content"]
    assert set(DESCRIPTIONS) == {*properties.INPUT_FIELDS, *OUTPUT_FIELDS}


def test_pulumi_package_get_schema_prints_the_served_schema(tmp_path):
    cli = Pulumi(tmp_path, tmp_path, "http://127.0.0.1:9")
    printed = cli.run("package", "get-schema", str(plugin_bin() / "pulumi-resource-engagement")).stdout
    served = json.loads(printed)
    assert served["name"] == "engagement" and served["version"] == VERSION
    assert served["resources"] == build_schema()["resources"]


def test_the_launcher_says_in_one_line_that_the_pulumi_extra_is_missing():
    # A Python where `import pulumi` fails, as without the [pulumi] extra.
    code = (
        "import sys; sys.modules['pulumi'] = None; "
        "from pulumi_engagement.pulumi_adapter.launcher import main; main()"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr == (
        "pulumi-resource-engagement: the Pulumi SDK is not installed; "
        "install the plugin with: pip install 'pulumi-engagement[pulumi]'\n"
    )


def test_get_plugin_info_reports_the_package_version():
    import grpc
    from google.protobuf import empty_pb2
    from pulumi.runtime.proto import provider_pb2_grpc

    plugin = subprocess.Popen(
        [str(plugin_bin() / "pulumi-resource-engagement"), "127.0.0.1:1"], stdout=subprocess.PIPE, text=True
    )
    try:
        port = int(plugin.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            info = provider_pb2_grpc.ResourceProviderStub(channel).GetPluginInfo(
                empty_pb2.Empty(), timeout=30
            )
        assert info.version == VERSION
    finally:
        plugin.kill()
        plugin.wait()
