"""What cmi5 asks of the learning record store (lms.xapi), in one place: session tokens, the state and agent
profile documents written before a launch, and the statements the LMS records itself (launched, satisfied,
abandoned). Each is one call into lms.xapi, so the LRS stays the only writer of its tables."""

from datetime import datetime


def issue_session_token(*, session_id: str, learner_id: str, registration: str, activity_id: str,
                        expires_at: datetime) -> str:
    """A token for `Authorization: Basic <token>` that acts for this session only, until it expires."""
    from lms.xapi import clients

    return clients.issue_session_token(session_id=session_id, learner_id=learner_id, registration=registration,
                                         activity_id=activity_id, expires_at=expires_at)


def revoke_session_tokens(session_id: str) -> None:
    """The session's tokens stop working at once (it terminated or was abandoned)."""
    from lms.xapi import clients

    clients.revoke_session_tokens(session_id)


def put_state(*, activity_id: str, agent: dict, state_id: str, registration: str, content: bytes,
              content_type: str) -> None:
    from lms.xapi import documents

    documents.put_state(activity_id=activity_id, agent=agent, state_id=state_id, registration=registration,
                        content=content, content_type=content_type)


def put_agent_profile(*, agent: dict, profile_id: str, content: bytes, content_type: str) -> None:
    from lms.xapi import documents

    documents.put_agent_profile(agent=agent, profile_id=profile_id, content=content, content_type=content_type)


def store_statement(statement: dict) -> None:
    """Store one statement made by the LMS itself through the LRS's intake, which commits. The credentials are
    the LMS's own (no agent: it speaks about any learner), so the authority is the LMS."""
    from lms.xapi import statements
    from lms.xapi.principal import ALL, Principal, lms_authority

    statements.store(Principal("lms", frozenset({ALL}), authority=lms_authority()), [statement])
