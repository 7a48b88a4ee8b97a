"""The learning record store (xAPI 1.0.3): statements, documents, activities, agents, about, and credentials.

Modules and what they own:
- `validation` (pure): the whole statement data model, as problems per property path.
- `agents` (pure): agents and groups, their inverse functional identifiers and canonical keys.
- `signature`, `multipart` (pure): signed statements (JWS) and `multipart/mixed` attachment bodies.
- `principal`: who is calling (an LRS client's Basic credentials, a cmi5 session token, a learner's bearer
  token) and what they may read and write.
- `models`, `statements`, `api`: stored statements, their intake (progress follows) and queries.
- `documents`, `document_api`: the state, activity profile and agent profile resources.
"""
