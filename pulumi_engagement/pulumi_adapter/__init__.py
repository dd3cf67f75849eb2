"""The Pulumi adapter: the Engagement dynamic resource and its provider, mapped onto the core.

``properties`` holds the property tables (inputs, outputs, secrets, replace and update rules);
``dynamic_provider`` maps Pulumi's check / diff / create / read / delete onto the core;
``resource`` is the program-facing ``Engagement``; ``sdk_internals`` fences the Pulumi SDK
internals they rely on. Imported lazily by ``pulumi_engagement`` (it needs the [pulumi] extra).
"""
