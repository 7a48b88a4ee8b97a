"""Domain events: what one domain announces and others react to, connected once by the app factory."""

import logging

from blinker import Namespace, Signal

from lms.extensions import db

log = logging.getLogger(__name__)
_signals = Namespace()

enrollment_completed = _signals.signal("enrollment-completed", doc="""
Sent inside the transaction that completes an enrolment (by the completion rules or by an admin); the
sender is the enrolment id. Receivers add their rows to that transaction (a certificate to render), so the
completion and its consequences commit together, once.""")


def publish(signal: Signal, sender: str, **kwargs) -> None:
    """Run each receiver in a savepoint: a failing reaction is logged and undone, while the change that
    caused it stands (it can be made good later, e.g. by an admin's explicit request)."""
    for receiver in signal.receivers_for(sender):
        try:
            with db.session.begin_nested():
                receiver(sender, **kwargs)
        except Exception:
            log.exception("receiver %r of %s failed for %s", receiver, signal.name, sender)

statements_stored = _signals.signal("statements-stored", doc="""
Sent by the LRS inside the transaction that stores statements; the sender is "lrs", with `principal` (who sent
them) and `statements` (the stored statements as dicts, with `id`, `stored` and `authority`). Receivers add their
rows to that transaction (cmi5: `satisfied` once an AU's moveOn is met).""")
