"""cmi5, the LMS side: course structures, launching assignable units, sessions and their statement rules.

Modules and what they own:
- `structure` (pure): `cmi5.xml` validated against the course structure XSD (`CourseStructure.xsd`) and read.
- `rules` (pure): which statements an AU session may send (cmi5 6.3, 7.1, 9), moveOn and what it satisfies.
- `models`: launch sessions, each registration's AUs, satisfied blocks and courses, the LMS's pending statements.
- `service`: the content check, launch, the fetch URL, the `statement_checks` hook and the `statements_stored`
  receiver, satisfied / abandoned / waived, and handing the LMS's statements to the LRS.
- `lrs`: every call into lms.xapi (session tokens, documents, statement intake).
- `api`, `cli`: the launch, waive and fetch endpoints, the AU packages' files, `flask lms cmi5 launch|deliver`.
"""
