"""Routing: every ssm-contacts call is a POST to ``/`` with ``X-Amz-Target: SSMContacts.<Op>``."""

from .responses import SSMContactsResponse

url_bases = [r"https?://ssm-contacts(-fips)?\.(.+)\.amazonaws\.com"]

url_paths = {"{0}/$": SSMContactsResponse.dispatch}
