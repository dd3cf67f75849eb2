# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The page's options: StartEngagement's members in snake_case, plus the core's dedup_key."""

from __future__ import annotations


class ModuleDocFragment:
    # Must list exactly the core's StartRequest fields (tests/unit/plugins/doc_fragments checks it).
    DOCUMENTATION = r"""
options:
  contact_id:
    description:
      - ARN of the contact or escalation plan to page.
      - Required with O(state=started), and with O(state=stopped) when O(engagement_id) is not given.
    type: str
  sender:
    description:
      - Who is paging, for example the name of the playbook or the on-call tool.
    type: str
  subject:
    description:
      - Secure subject of the message sent to the contact's email and SMS channels.
      - Like O(content), O(public_subject) and O(public_content), a no_log option (see O(return_content)).
    type: str
  content:
    description:
      - Secure content of the message sent to the contact's email and SMS channels.
    type: str
  public_subject:
    description:
      - Insecure subject, sent to channels that cannot carry the secure one.
    type: str
  public_content:
    description:
      - Insecure content, sent to channels that cannot carry the secure one.
    type: str
  incident_id:
    description:
      - ID of the incident the page is about.
    type: str
  idempotency_token:
    description:
      - The caller's identity of one page. A token not used before pages; a used one returns its engagement
        (running or not) with C(changed=false). The result reports the token sent.
      - When not given, each episode of the alert gets a derived token (see the description).
    type: str
  dedup_key:
    description:
      - Pages to the same contact with the same key share one engagement while it runs, whatever their text
        (for example host names or error output that differ between hosts). Without it the whole page
        identifies the alert.
      - Cannot be combined with O(idempotency_token).
    type: str
    version_added: 0.2.0
"""
