"""Indicator use cases: list, create, change and delete a prefecture's indicators, each with its live values."""

from collections.abc import Callable

from sqlalchemy import func, select

from lms.audit.service import record
from lms.auth.models import ADMIN, OFFICIAL
from lms.auth.permissions import Actor
from lms.dates import fiscal_year, today_jst
from lms.errors import Forbidden, Invalid, NotFound
from lms.extensions import db
from lms.indicators import rules
from lms.indicators.measures import Series, measure_series
from lms.indicators.models import Indicator
from lms.reference.service import get_prefecture

FIELDS = ("category_ja", "name_ja", "measure", "rationale_ja", "baseline_fiscal_year", "target_fiscal_year",
          "target_value", "source_ja", "public")
# A value as the reader may see it: (measure, fiscal year, exact value) -> published value or None
Visible = Callable[[str, int, int | float], int | float | None]


def _own_prefecture(actor: Actor, code: str) -> str:
    """The prefecture's JIS code, if the actor may manage its indicators; another prefecture's is 404."""
    if actor.role not in (ADMIN, OFFICIAL):
        raise Forbidden("Indicators are for consortium admins and the prefecture's own officials.")
    try:
        prefecture = get_prefecture(code)
    except Invalid as exc:
        raise NotFound(f"No prefecture with code {code}.") from exc
    if actor.role == OFFICIAL and actor.prefecture_code != prefecture.code:
        raise NotFound(f"No prefecture with code {code}.")
    return prefecture.code


def years_needed(indicators: list[Indicator], today_year: int) -> range:
    first = min([i.baseline_fiscal_year for i in indicators] + [today_year])
    return range(max(first, rules.FIRST_REIWA_FISCAL_YEAR), today_year + 1)


def evaluate(indicator: Indicator, series: Series, today_year: int, visible: Visible | None = None) -> dict:
    """The indicator's fields with baseline_value, current_value, current_fiscal_year, progress, on_track.

    `visible` publishes values (the public page hides small counts); without it values are exact.
    """
    values = series[indicator.measure]
    name_ja, unit = rules.MEASURES[indicator.measure]
    baseline_year = indicator.baseline_fiscal_year
    baseline = values.get(baseline_year) if baseline_year <= today_year else None
    current_year = rules.latest_year_with_data({y: v for y, v in values.items() if y <= today_year})
    current = values[current_year] if current_year is not None else None
    if visible is not None:
        baseline = None if baseline is None else visible(indicator.measure, baseline_year, baseline)
        current = None if current is None else visible(indicator.measure, current_year, current)
    progress = on_track = None
    if baseline is not None and current is not None and current_year is not None:
        progress = rules.progress(baseline, current, indicator.target_value)
        on_track = rules.on_track(baseline_year, baseline, indicator.target_fiscal_year, indicator.target_value,
                                  current_year, current)
    return {
        "id": indicator.id, "prefecture_code": indicator.prefecture_code,
        **{name: getattr(indicator, name) for name in FIELDS},
        "measure_ja": name_ja, "unit_ja": unit,
        "baseline_value": baseline, "current_value": current,
        "current_fiscal_year": current_year,
        "progress": progress, "on_track": on_track,
        "created_at": indicator.created_at, "updated_at": indicator.updated_at,
    }


def evaluate_all(prefecture_code: str, indicators: list[Indicator], visible: Visible | None = None) -> list[dict]:
    """Every indicator with its values, from one counting pass over the years they need."""
    if not indicators:
        return []
    today_year = fiscal_year(today_jst())
    series = measure_series(prefecture_code, years_needed(indicators, today_year))
    return [evaluate(indicator, series, today_year, visible) for indicator in indicators]


def _query(prefecture_code: str, *, public_only: bool = False):
    query = select(Indicator).where(Indicator.prefecture_code == prefecture_code)
    if public_only:
        query = query.where(Indicator.public.is_(True))
    return query


def list_indicators(actor: Actor, code: str, *, page: int = 1, per_page: int = 50) -> tuple[list[dict], int]:
    prefecture_code = _own_prefecture(actor, code)
    query = _query(prefecture_code)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = list(db.session.scalars(query.order_by(Indicator.created_at, Indicator.id)
                                    .limit(per_page).offset((page - 1) * per_page)))
    return evaluate_all(prefecture_code, items), total


def all_indicators(actor: Actor, code: str) -> tuple[str, str, list[dict]]:
    """The whole table (for downloads): the prefecture's JIS code and name, and every indicator."""
    prefecture_code = _own_prefecture(actor, code)
    items = list(db.session.scalars(_query(prefecture_code).order_by(Indicator.created_at, Indicator.id)))
    return prefecture_code, get_prefecture(prefecture_code).name_ja, evaluate_all(prefecture_code, items)


def public_indicators(prefecture_code: str, visible: Visible) -> list[dict]:
    """The indicators a prefecture has made public, with values as the public may see them."""
    items = list(db.session.scalars(_query(prefecture_code, public_only=True)
                                    .order_by(Indicator.created_at, Indicator.id)))
    return evaluate_all(prefecture_code, items, visible)


def _check_years(baseline: int, target: int) -> None:
    if baseline > target:
        raise Invalid(errors={"json": {"target_fiscal_year": ["must not be before baseline_fiscal_year"]}})


def create_indicator(actor: Actor, code: str, fields: dict) -> dict:
    prefecture_code = _own_prefecture(actor, code)
    _check_years(fields["baseline_fiscal_year"], fields["target_fiscal_year"])
    indicator = Indicator(prefecture_code=prefecture_code, created_by=actor.id, **fields)
    db.session.add(indicator)
    db.session.flush()
    record(actor, "indicator.create", "indicator", indicator.id, prefecture_code=prefecture_code,
           measure=indicator.measure)
    db.session.commit()
    return evaluate_all(prefecture_code, [indicator])[0]


def _indicator(actor: Actor, code: str, indicator_id: str, *, lock: bool = False) -> Indicator:
    prefecture_code = _own_prefecture(actor, code)
    query = select(Indicator).where(Indicator.id == indicator_id, Indicator.prefecture_code == prefecture_code)
    indicator = db.session.scalar(query.with_for_update() if lock else query)
    if indicator is None:
        raise NotFound(f"No indicator {indicator_id} in prefecture {prefecture_code}.")
    return indicator


def get_indicator(actor: Actor, code: str, indicator_id: str) -> dict:
    indicator = _indicator(actor, code, indicator_id)
    return evaluate_all(indicator.prefecture_code, [indicator])[0]


def update_indicator(actor: Actor, code: str, indicator_id: str, fields: dict) -> dict:
    indicator = _indicator(actor, code, indicator_id, lock=True)
    _check_years(fields.get("baseline_fiscal_year", indicator.baseline_fiscal_year),
                 fields.get("target_fiscal_year", indicator.target_fiscal_year))
    changed = sorted(name for name, value in fields.items() if getattr(indicator, name) != value)
    for name, value in fields.items():
        setattr(indicator, name, value)
    record(actor, "indicator.update", "indicator", indicator.id, prefecture_code=indicator.prefecture_code,
           fields=changed)
    db.session.commit()
    return evaluate_all(indicator.prefecture_code, [indicator])[0]


def delete_indicator(actor: Actor, code: str, indicator_id: str) -> None:
    indicator = _indicator(actor, code, indicator_id, lock=True)
    record(actor, "indicator.delete", "indicator", indicator.id, prefecture_code=indicator.prefecture_code,
           name_ja=indicator.name_ja)
    db.session.delete(indicator)
    db.session.commit()
