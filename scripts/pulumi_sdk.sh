#!/usr/bin/env bash
# The engagement provider's SDKs under sdk/, made from its schema by Pulumi's own generators
# (scripts/sdkgen, pkg/v3/codegen at the CLI's version; `pulumi package gen-sdk` needs language
# plugins the Go module proxy does not serve).
#
#   scripts/pulumi_sdk.sh generate      rewrite sdk/nodejs and sdk/go/engagement from the schema
#   scripts/pulumi_sdk.sh check         fail if they drift from the schema; compile the TypeScript SDK
#                                       with tsc against @pulumi/pulumi from npm and `npm pack` it;
#                                       `go build ./... && go vet ./...` the Go SDK
#   scripts/pulumi_sdk.sh pack DIR      compile and pack the TypeScript SDK; prints the tarball's path
#
# npm's and Go's caches stay outside the checkout (~/.cache/pulumi-engagement-build/npm, Go's defaults).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
schema="$root/pulumi_engagement/pulumi_adapter/schema.json"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
export npm_config_cache="${npm_config_cache:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-engagement-build/npm}"
npm_quiet=(--no-audit --no-fund --loglevel=error)

generate_into() { (cd "$root/scripts/sdkgen" && go run . "$schema" "$1"); }

pack_typescript() {  # $1: destination folder; prints the tarball's path
    local build
    build="$(mktemp -d)"
    cp -r "$root/sdk/nodejs" "$build/nodejs"
    (
        cd "$build/nodejs"
        npm install "${npm_quiet[@]}" >&2
        npx --no-install tsc >&2
        cp package.json README.md bin/
        cd bin && npm pack "${npm_quiet[@]}" --pack-destination "$1" | tail -n 1
    ) | sed "s|^|$1/|"
    rm -rf "$build"
}

case "${1:-}" in
generate)
    rm -rf "$root/sdk/nodejs" "$root/sdk/go/engagement"
    generate_into "$root/sdk"
    ;;
check)
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    generate_into "$work/sdk"
    for dir in nodejs go/engagement; do
        diff -r --exclude=node_modules --exclude=bin "$root/sdk/$dir" "$work/sdk/$dir" >&2 || {
            echo "pulumi-sdk: sdk/$dir is out of date with the schema; run 'make pulumi-sdk'" >&2
            exit 1
        }
    done
    echo "pulumi-sdk: sdk/ matches the schema; TypeScript: tsc and npm pack" >&2
    mkdir -p "$work/pack" && pack_typescript "$work/pack" >/dev/null
    echo "pulumi-sdk: Go: go build ./... && go vet ./..." >&2
    (cd "$root/sdk" && go build ./... && go vet ./...)
    ;;
pack)
    mkdir -p "$2" && pack_typescript "$(cd "$2" && pwd)"
    ;;
*)
    echo "usage: $0 generate | check | pack DIR" >&2
    exit 2
    ;;
esac
