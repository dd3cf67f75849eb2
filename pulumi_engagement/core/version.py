"""Product name and version, kept here so the vendored copy carries them too."""

PRODUCT = "pulumi-engagement"
VERSION = "0.1.0"
