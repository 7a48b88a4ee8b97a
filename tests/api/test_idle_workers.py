"""Workers that find nothing to do end their transaction: on SQLite every transaction holds the write lock."""

import pytest

from lms.certificates.batch import claim_next_batch
from lms.certificates.worker import claim_pending_certificate
from lms.extensions import db
from lms.ojt.imports import claim_next_import


@pytest.mark.parametrize("claim", [lambda: claim_next_batch("test"), claim_pending_certificate,
                                   lambda: claim_next_import("test")], ids=["batches", "certificates", "imports"])
def test_an_idle_claim_leaves_no_transaction_open(ctx, claim):
    assert claim() is None
    assert not db.session().in_transaction()
