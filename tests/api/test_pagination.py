"""lms.pagination.paginate: the total of the whole query and one ordered page of it."""

from sqlalchemy import select

from lms.extensions import db
from lms.pagination import paginate
from lms.reference.models import Prefecture


def test_paginate_returns_the_requested_page_in_order_and_the_total_of_all_rows(ctx):
    query = select(Prefecture).where(Prefecture.code <= "10")

    items, total = paginate(query, page=2, per_page=4, order_by=(Prefecture.code,))

    assert total == 10
    assert [p.code for p in items] == ["05", "06", "07", "08"]


def test_paginate_follows_the_given_order(ctx):
    query = select(Prefecture).where(Prefecture.code <= "10")

    items, total = paginate(query, page=1, per_page=3, order_by=(Prefecture.code.desc(),))

    assert total == 10
    assert [p.code for p in items] == ["10", "09", "08"]


def test_paginate_last_page_is_short_and_past_it_empty_with_the_same_total(ctx):
    query = select(Prefecture).where(Prefecture.code <= "10")

    last, total = paginate(query, page=3, per_page=4, order_by=(Prefecture.code,))
    beyond, total_beyond = paginate(query, page=4, per_page=4, order_by=(Prefecture.code,))

    assert ([p.code for p in last], total) == (["09", "10"], 10)
    assert (beyond, total_beyond) == ([], 10)


def test_paginate_counts_the_rows_of_a_distinct_query_not_the_rows_beneath_it(ctx):
    blocks = sorted(set(db.session.scalars(select(Prefecture.block_code))))
    query = select(Prefecture.block_code).distinct()

    items, total = paginate(query, page=1, per_page=200, order_by=(Prefecture.block_code,))

    assert total == len(blocks) < 47
    assert items == blocks
