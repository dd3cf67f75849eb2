#!/usr/bin/env bash
# Builds the real Pulumi CLI and the plugins the tests run it with, from the Go module proxy,
# into a per-version folder outside the checkout, and prints that folder's absolute path as
# its last line. A second run with the folder complete builds nothing.
#
#   pulumi                          pkg/v3/cmd/pulumi at $PULUMI_VERSION, version stamped in
#                                   (the Automation API refuses an unstamped CLI)
#   pulumi-language-yaml            github.com/pulumi/pulumi-yaml at $PULUMI_YAML_VERSION
#   pulumi-resource-pulumi-python   the dynamic-provider launcher, copied from the sdk/v3 module
#   pulumi-language-python-exec     the Python program runner, copied from the sdk/v3 module
#
# The Python language host (module .../sdk/python/cmd/pulumi-language-python/v3) is not served
# by the proxy here ("403 This module version is not available"), so `runtime: python`
# projects are run through the Automation API's inline programs instead (docs/pulumi.md).
set -euo pipefail

PULUMI_VERSION="${PULUMI_VERSION:-v3.274.0}"
PULUMI_YAML_VERSION="${PULUMI_YAML_VERSION:-v1.25.0}"
cache_root="${PULUMI_CLI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-engagement-build/pulumi-cli}"
out="$cache_root/$PULUMI_VERSION-yaml-$PULUMI_YAML_VERSION"
binaries=(pulumi pulumi-language-yaml pulumi-resource-pulumi-python pulumi-language-python-exec)

complete() {
    local name
    for name in "${binaries[@]}"; do [[ -x "$out/$name" ]] || return 1; done
    [[ "$("$out/pulumi" version 2>/dev/null)" == "$PULUMI_VERSION" ]]
}

if complete; then
    echo "$out"
    exit 0
fi

command -v go >/dev/null || { echo "pulumi-cli: 'go' is not on PATH; Go 1.26 is needed to build the Pulumi CLI" >&2; exit 1; }
export CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/cli" "$work/yaml" "$work/bin"

echo "pulumi-cli: building pulumi $PULUMI_VERSION (cold: about 7 minutes on 2 cores)" >&2
(
    cd "$work/cli"
    go mod init pulumi-engagement.local/pulumi-cli >/dev/null 2>&1
    # The command's package, not only the module, or the build stops on missing go.sum entries.
    go get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$PULUMI_VERSION" \
        "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION"
    go build -trimpath \
        -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
        -o "$work/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    sdk_dir="$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)"
    install -m 0755 "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$work/bin/"
    install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$work/bin/"
)

echo "pulumi-cli: building pulumi-language-yaml $PULUMI_YAML_VERSION" >&2
(
    # A module of its own: it picks its own pkg/sdk versions (pinning the CLI's fails to compile).
    cd "$work/yaml"
    go mod init pulumi-engagement.local/pulumi-language-yaml >/dev/null 2>&1
    go get "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$PULUMI_YAML_VERSION"
    go build -trimpath -o "$work/bin/pulumi-language-yaml" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml
)

mkdir -p "$out"
for name in "${binaries[@]}"; do install -m 0755 "$work/bin/$name" "$out/$name"; done
complete || { echo "pulumi-cli: built, but '$out/pulumi version' is not $PULUMI_VERSION" >&2; exit 1; }
echo "$out"
