"""Count and page a list query: the one way every list service pages its results."""

from collections.abc import Sequence

from sqlalchemy import Select, func, select

from lms.extensions import db


def paginate(query: Select, *, page: int, per_page: int, order_by: Sequence) -> tuple[list, int]:
    """The `page`-th page (from 1) of `per_page` rows of `query` in `order_by` order, and the total count
    of its rows (counted without an order, as a subquery)."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.scalars(query.order_by(*order_by).limit(per_page).offset((page - 1) * per_page))
    return list(items), total
