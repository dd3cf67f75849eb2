"""Product name and version: the one place the version is written.

pyproject.toml reads VERSION (``dynamic = ["version"]``), ``pulumi_engagement.__version__``
imports it, the vendored copy in the collection is generated from this file, and
tests/packaging checks the collection's galaxy.yml and both changelogs against it.
"""

PRODUCT = "pulumi-engagement"
VERSION = "0.2.0"
