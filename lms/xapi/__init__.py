"""The learning record store (xAPI 1.0.3): statements, documents, activities, agents, about, and credentials.

Modules and what they own:
- `validation`, `agents`, `compare`, `formats` (pure): the statement data model as problems per property path;
  agents and groups with their canonical keys; statement comparison; the `ids` and `canonical` formats.
- `signature`, `multipart` (pure): signed statements (JWS) and `multipart/mixed` attachment bodies.
- `principal`, `clients`: who is calling (an LRS client's Basic credentials, a cmi5 session token, a learner's
  bearer token), what they may read and write, and the clients and session tokens themselves.
- `http`: the version header, CORS and the alternate request syntax, for every resource alike.
- `models`, `statements`, `api`: stored statements, their intake (progress follows) and queries.
- `documents`, `document_rules`, `document_models`, `document_api`: the state, activity profile and agent
  profile resources.
- `activities`, `meta_api`: activity definitions learnt from statements; `about`, `activities`, `agents`, and
  the admin's LRS clients.
"""
