# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options shared by the modules, spelled as amazon.aws spells them."""

from __future__ import annotations


class ModuleDocFragment:
    # Same names, aliases and environment variables as amazon.aws's modules, without depending on it.
    DOCUMENTATION = r"""
options:
  region:
    description:
      - The AWS region to use.
      - The E(AWS_REGION), E(AWS_DEFAULT_REGION) or E(EC2_REGION) environment variables may also be used,
        in decreasing order of preference.
    type: str
    aliases: [aws_region, ec2_region]
  profile:
    description:
      - A named AWS profile to use for authentication.
      - The E(AWS_PROFILE) or E(AWS_DEFAULT_PROFILE) environment variables may also be used.
    type: str
    aliases: [aws_profile]
  endpoint_url:
    description:
      - URL to connect to instead of the default AWS endpoint, for example the project's local emulator
        (V(http://127.0.0.1:5000)).
      - When not set, the E(AWS_ENDPOINT_URL_SSM_CONTACTS) environment variable is used (through botocore),
        then E(AWS_URL) or E(EC2_URL), then E(AWS_ENDPOINT_URL) (through botocore).
    type: str
    aliases: [aws_endpoint_url, ec2_url]
  access_key:
    description:
      - AWS access key ID.
      - The E(AWS_ACCESS_KEY_ID), E(AWS_ACCESS_KEY) or E(EC2_ACCESS_KEY) environment variables may also be
        used, in decreasing order of preference.
    type: str
    aliases: [aws_access_key_id, aws_access_key, ec2_access_key]
  secret_key:
    description:
      - AWS secret access key. It is never logged or returned.
      - The E(AWS_SECRET_ACCESS_KEY), E(AWS_SECRET_KEY) or E(EC2_SECRET_KEY) environment variables may also
        be used, in decreasing order of preference.
    type: str
    aliases: [aws_secret_access_key, aws_secret_key, ec2_secret_key]
  session_token:
    description:
      - AWS STS session token for use with temporary credentials. It is never logged or returned.
      - The E(AWS_SESSION_TOKEN), E(AWS_SECURITY_TOKEN) or E(EC2_SECURITY_TOKEN) environment variables may
        also be used, in decreasing order of preference.
    type: str
    aliases: [aws_session_token, security_token, aws_security_token]
  validate_certs:
    description:
      - When V(false), SSL certificates are not validated. Prefer O(aws_ca_bundle).
    type: bool
    default: true
  aws_ca_bundle:
    description:
      - The location of a CA bundle to use when validating SSL certificates.
      - The E(AWS_CA_BUNDLE) environment variable may also be used.
    type: path
  aws_config:
    description:
      - A dictionary of botocore configuration, see
        U(https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html).
      - Retries always use botocore's C(standard) mode, which also retries C(ThrottlingException).
    type: dict
attributes:
  platform:
    support: full
    platforms: posix
    description: Target OS/families that can be operated against.
  action_group:
    support: full
    membership: [incident_manager.contacts.contacts]
    description: >-
      Use C(group/incident_manager.contacts.contacts) in C(module_defaults) to set connection options once.
notes:
  - Environment variables and configuration files are read on the host the module runs on,
    usually the controller (C(delegate_to=localhost) or a local connection).
  - Credentials are never written to the results or to logs.
requirements:
  - python >= 3.10
  - boto3 >= 1.34
"""
