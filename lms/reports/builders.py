"""The report builders: resolved parameters and the as-of time in, a published table out."""

from collections import Counter, defaultdict
from datetime import datetime
from decimal import Decimal
from statistics import median
from typing import Any

from sqlalchemy import func, select

from lms.certificates.models import Certificate
from lms.dates import JST
from lms.enrollments.models import Enrollment
from lms.extensions import db
from lms.ojt.models import SITE_KIND_LABELS, OjtSite, Placement
from lms.programs.models import ProgramModule, ProgramVersion
from lms.progress.models import ModuleProgress, OjtLog
from lms.reference.models import Prefecture
from lms.reports.types import Chart, Report
from lms.stats.downloads import DEFINITIONS, LABELS
from lms.stats.publish import COLUMNS
from lms.stats.service import Scope, year_tables
from lms.stats.tables import Table

MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


def _number(value: Decimal | int | None) -> int | float:
    """Hours as a plain number: 40 stays 40, 40.5 stays 40.5."""
    value = Decimal(value or 0)
    return int(value) if value == value.to_integral_value() else float(value)


def _pairs(query) -> dict:
    """A two-column query as a dict of first column to second."""
    return dict(db.session.execute(query).all())


def _text(value: float | int | None, unit: str = "") -> str:
    if value is None:
        return "—"
    number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return number + unit


def _year_ja(fiscal_year: int) -> str:
    return f"{fiscal_year}年度"


def _approved_hours(group_by, fiscal_year: int) -> dict[Any, Decimal]:
    """Approved OJT hours at placements of the fiscal year, summed by `group_by` (a column)."""
    query = (select(group_by, func.sum(OjtLog.hours)).join(Placement, Placement.id == OjtLog.placement_id)
             .join(OjtSite, OjtSite.id == Placement.site_id)
             .where(OjtLog.status == "approved", Placement.fiscal_year == fiscal_year).group_by(group_by))
    return _pairs(query)


def prefecture_enrollment(params: dict[str, Any], as_of: datetime) -> Report:
    """The officials' prefecture table (same cells and definitions) with block subtotals, exact for admins."""
    year = params["fiscal_year"]
    answer = year_tables(Scope(organization_code=None, exact=None), range(year, year + 1))[year]
    by_code = {row["prefecture_code"]: row for row in answer["rows"]}
    rows: list[dict] = []
    for block in answer["blocks"]:
        for code in block["prefecture_codes"]:
            row = by_code[code]
            rows.append({"block_ja": row["block_ja"], "name_ja": row["name_ja"], "code": code, "level": "row",
                         **{column: row[column] for column in COLUMNS}})
        rows.append({"block_ja": block["block_ja"], "name_ja": "小計", "level": "subtotal",
                     **{column: block[column] for column in COLUMNS}})
    national = answer["national"]
    rows.append({"block_ja": "全国", "name_ja": "合計", "level": "total", **{c: national[c] for c in COLUMNS}})
    columns = [("block_ja", "ブロック"), ("name_ja", "都道府県"), *((column, LABELS[column]) for column in COLUMNS)]
    table = Table(columns=columns, rows=rows, title_ja="都道府県別 受講状況", as_of=as_of, notes=[
        *DEFINITIONS, "全国の正確な値です（秘匿処理なし）。管理者向けの資料として取り扱ってください。"])
    chart = Chart("tile_map", "都道府県別 受講者数", "人",
                  values={row["code"]: row["participants"] for row in rows if row["level"] == "row"})
    top = sorted((row for row in rows if row["level"] == "row" and row["participants"]),
                 key=lambda row: (-row["participants"], row["code"]))[:5]
    highlights = [("受講者数（全国）", _text(national["participants"], "人")),
                  ("受講中", _text(national["active"], "人")), ("修了", _text(national["completed"], "人")),
                  ("OJT受入人数", _text(national["placements"], "人")),
                  ("OJT承認時間", _text(national["ojt_hours_approved"], "時間")),
                  ("受講者数の多い都道府県", "、".join(f"{r['name_ja']} {r['participants']:,}" for r in top) or "—")]
    return Report(table, _year_ja(year), chart, highlights)


def _current_programs(program_code: str | None) -> list[ProgramVersion]:
    query = select(ProgramVersion).where(ProgramVersion.is_current).order_by(ProgramVersion.code)
    if program_code:
        query = query.where(ProgramVersion.code == program_code)
    return list(db.session.scalars(query))


def _progress_of_active(year: int) -> dict[str, list[int]]:
    """Progress (%) of every active enrolment of the year by programme: modules and OJT hours weigh equally,
    as in the completion rules."""

    active = (select(Enrollment.id, Enrollment.program_code, Enrollment.program_version_id)
              .where(Enrollment.fiscal_year == year, Enrollment.status == "active"))
    enrollments = db.session.execute(active).all()
    required = _pairs(select(ProgramModule.program_version_id, func.count())
                      .where(ProgramModule.required).group_by(ProgramModule.program_version_id))
    hours_needed = _pairs(select(ProgramVersion.id, ProgramVersion.ojt_required_hours))
    done = _pairs(
        select(ModuleProgress.enrollment_id, func.count())
        .join(Enrollment, Enrollment.id == ModuleProgress.enrollment_id)
        .join(ProgramModule, (ProgramModule.program_version_id == Enrollment.program_version_id)
              & (ProgramModule.code == ModuleProgress.module_code))
        .where(ProgramModule.required, ModuleProgress.done_at.is_not(None),
               Enrollment.fiscal_year == year, Enrollment.status == "active")
        .group_by(ModuleProgress.enrollment_id))
    approved = _pairs(
        select(Placement.enrollment_id, func.sum(OjtLog.hours)).join(Placement, Placement.id == OjtLog.placement_id)
        .join(Enrollment, Enrollment.id == Placement.enrollment_id)
        .where(OjtLog.status == "approved", Enrollment.fiscal_year == year, Enrollment.status == "active")
        .group_by(Placement.enrollment_id))
    result: dict[str, list[int]] = defaultdict(list)
    for enrollment_id, code, version_id in enrollments:
        parts = []
        if required.get(version_id):
            parts.append(Decimal(done.get(enrollment_id, 0)) / required[version_id])
        needed = Decimal(hours_needed.get(version_id) or 0)
        if needed > 0:
            parts.append(min(Decimal(1), Decimal(approved.get(enrollment_id) or 0) / needed))
        result[code].append(int(sum(parts) / len(parts) * 100) if parts else 100)
    return result


def program_progress(params: dict[str, Any], as_of: datetime) -> Report:
    """Per programme: how many applied, took part, are active and completed, and how far the active are."""
    year = params["fiscal_year"]
    counts: dict[str, Counter] = defaultdict(Counter)
    for code, status, ever_active, n in db.session.execute(
            select(Enrollment.program_code, Enrollment.status, Enrollment.ever_active, func.count())
            .where(Enrollment.fiscal_year == year)
            .group_by(Enrollment.program_code, Enrollment.status, Enrollment.ever_active)):
        counts[code]["applications"] += n
        counts[code][status] += n
        counts[code]["participants"] += n if ever_active else 0
    hours = _pairs(
        select(Enrollment.program_code, func.sum(OjtLog.hours)).join(Placement, Placement.id == OjtLog.placement_id)
        .join(Enrollment, Enrollment.id == Placement.enrollment_id)
        .where(OjtLog.status == "approved", Enrollment.fiscal_year == year).group_by(Enrollment.program_code))
    progress = _progress_of_active(year)
    rows = []
    for program in _current_programs(params.get("program_code")):
        c = counts.get(program.code, Counter())
        rate = round(c["completed"] / c["participants"] * 100, 1) if c["participants"] else None
        spread = progress.get(program.code)
        rows.append({"program_code": program.code, "title_ja": program.title_ja,
                     "applications": c["applications"], "participants": c["participants"], "active": c["active"],
                     "completed": c["completed"], "completion_rate": rate,
                     "median_progress": round(median(spread), 1) if spread else None,
                     "ojt_hours_approved": _number(hours.get(program.code))})
    columns = [("program_code", "コード"), ("title_ja", "プログラム"), ("applications", "申込数"),
               ("participants", "受講者数"), ("active", "受講中"), ("completed", "修了"),
               ("completion_rate", "修了率（%）"), ("median_progress", "進捗率の中央値（%）"),
               ("ojt_hours_approved", "OJT承認時間")]
    table = Table(columns=columns, rows=rows, title_ja="プログラム別 進捗状況", as_of=as_of, notes=[
        f"{_year_ja(year)}に申し込まれた受講を対象としています。",
        "修了率 = 修了 ÷ 受講者数（一度でも受講中となった数）。",
        "進捗率は受講中の方について、必修モジュールの修了割合とOJT承認時間の達成割合を等分に評価した値です。",
    ])
    chart = Chart("bar", "プログラム別 受講者数と修了者数", "人", labels=[row["title_ja"] for row in rows],
                  series=[("受講者数", [row["participants"] for row in rows]),
                          ("修了", [row["completed"] for row in rows])])
    participants, completed = sum(r["participants"] for r in rows), sum(r["completed"] for r in rows)
    highlights = [("プログラム数", _text(len(rows))), ("受講者数", _text(participants, "人")),
                  ("受講中", _text(sum(r["active"] for r in rows), "人")), ("修了", _text(completed, "人")),
                  ("修了率（全体）", _text(round(completed / participants * 100, 1) if participants else None, "%"))]
    return Report(table, _year_ja(year), chart, highlights)


def ojt_activity(params: dict[str, Any], as_of: datetime) -> Report:
    """Sites that hosted learners in the year, by prefecture, with subtotals for all registered sites."""
    year, only = params["fiscal_year"], params.get("prefecture_code")
    in_year = (Placement.fiscal_year == year) & (Placement.status == "active")
    placements = _pairs(select(Placement.site_id, func.count()).where(in_year).group_by(Placement.site_id))
    site_hours = _approved_hours(OjtSite.id, year)
    registered = {code: (n, capacity) for code, n, capacity in db.session.execute(
        select(OjtSite.prefecture_code, func.count(), func.sum(OjtSite.annual_capacity))
        .group_by(OjtSite.prefecture_code))}
    active_ids = set(placements) | set(site_hours)
    sites = db.session.scalars(select(OjtSite).where(OjtSite.id.in_(active_ids))
                               .order_by(OjtSite.prefecture_code, OjtSite.name, OjtSite.id)) if active_ids else []
    by_prefecture: dict[str, list[OjtSite]] = defaultdict(list)
    for site in sites:
        by_prefecture[site.prefecture_code].append(site)
    rows: list[dict] = []
    total: Counter = Counter()
    for prefecture in db.session.scalars(select(Prefecture).order_by(Prefecture.code)):
        if prefecture.code not in registered or (only and prefecture.code != only):
            continue
        sub: Counter = Counter()
        for site in by_prefecture.get(prefecture.code, []):
            row = {"prefecture": prefecture.name_ja, "site": site.name, "kind": SITE_KIND_LABELS.get(site.kind, ""),
                   "area": site.secondary_medical_area, "shortage": "○" if site.shortage_area else "",
                   "capacity": site.annual_capacity, "placements": placements.get(site.id, 0),
                   "hours": _number(site_hours.get(site.id)), "level": "row"}
            sub.update(placements=row["placements"], hours=site_hours.get(site.id) or 0)
            rows.append(row)
        count, capacity = registered[prefecture.code]
        rows.append({"prefecture": prefecture.name_ja, "level": "subtotal",
                     "site": f"小計（登録{count}施設・うち受入{len(by_prefecture.get(prefecture.code, []))}施設）",
                     "kind": None, "area": None, "shortage": None, "capacity": int(capacity or 0),
                     "placements": sub["placements"], "hours": _number(sub["hours"]), "code": prefecture.code})
        total.update(sites=count, hosting=len(by_prefecture.get(prefecture.code, [])), capacity=int(capacity or 0),
                     placements=sub["placements"], hours=sub["hours"])
    if not only:
        rows.append({"prefecture": "全国", "site": f"合計（登録{total['sites']}施設・うち受入{total['hosting']}施設）",
                     "kind": None, "area": None, "shortage": None, "capacity": total["capacity"],
                     "placements": total["placements"], "hours": _number(total["hours"]), "level": "total"})
    columns = [("prefecture", "都道府県"), ("site", "OJT施設"), ("kind", "種別"), ("area", "二次医療圏"),
               ("shortage", "医師少数区域"), ("capacity", "年間受入枠"), ("placements", "受入件数"),
               ("hours", "OJT承認時間")]
    table = Table(columns=columns, rows=rows, title_ja="OJT実施状況", as_of=as_of, notes=[
        f"{_year_ja(year)}に受け入れた（配置または承認済みOJTのある）施設を、所在都道府県ごとに示しています。",
        "小計の年間受入枠は、その都道府県に登録されたすべてのOJT施設の合計です。",
    ])
    chart = Chart("tile_map", "都道府県別 OJT受入件数", "件",
                  values={row["code"]: row["placements"] for row in rows if row["level"] == "subtotal"})
    subtitle = _year_ja(year) + (f"（{rows[0]['prefecture']}）" if only and rows else "")
    site_rows = [row for row in rows if row["level"] == "row"]
    highlights = [("OJT施設（登録）", _text(total["sites"], "施設")), ("受入施設", _text(total["hosting"], "施設")),
                  ("うち医師少数区域", _text(sum(1 for r in site_rows if r["shortage"]), "施設")),
                  ("受入件数", _text(total["placements"], "件")),
                  ("OJT承認時間", _text(_number(total["hours"]), "時間"))]
    return Report(table, subtitle, chart, highlights)


def certificates_issued(params: dict[str, Any], as_of: datetime) -> Report:
    """Certificates issued in the fiscal year, by programme and month in Japan time."""
    year = params["fiscal_year"]
    start, end = datetime(year, 4, 1, tzinfo=JST), datetime(year + 1, 4, 1, tzinfo=JST)
    query = select(Certificate.program_code, Certificate.status, Certificate.issued_at).where(
        Certificate.issued_at >= start, Certificate.issued_at < end)
    if params.get("program_code"):
        query = query.where(Certificate.program_code == params["program_code"])
    counts: dict[str, Counter] = defaultdict(Counter)
    for code, status, issued_at in db.session.execute(query):
        counts[code][f"m{issued_at.astimezone(JST).month}"] += 1
        counts[code]["issued"] += 1  # every issue counts, whatever became of the certificate since
        if status in ("revoked", "superseded"):
            counts[code][status] += 1
    titles = {p.code: p.title_ja for p in _current_programs(params.get("program_code"))}
    month_keys = [f"m{m}" for m in MONTHS]
    value_keys = [*month_keys, "issued", "revoked", "superseded"]
    rows = [{"program_code": code, "title_ja": titles.get(code, code), "level": "row",
             **{key: counts.get(code, Counter())[key] for key in value_keys}}
            for code in sorted(set(titles) | set(counts))]
    total = {key: sum(row[key] for row in rows) for key in value_keys}
    rows.append({"program_code": "", "title_ja": "合計", "level": "total", **total})
    columns = [("program_code", "コード"), ("title_ja", "プログラム"),
               *((f"m{m}", f"{m}月") for m in MONTHS),
               ("issued", "発行数"), ("revoked", "うち失効"), ("superseded", "うち再発行で差替")]
    table = Table(columns=columns, rows=rows, title_ja="修了証 発行状況", as_of=as_of, notes=[
        f"{_year_ja(year)}（{year}年4月1日〜{year + 1}年3月31日、日本時間）に発行した修了証の数です。",
        "再発行した修了証は、新しい修了証として発行月に数えています（差し替えられた旧証は「うち再発行で差替」）。",
    ])
    chart = Chart("bar", "月別 修了証発行数", "件", labels=[f"{m}月" for m in MONTHS],
                  series=[("発行数", [total[key] for key in month_keys])])
    highlights = [("発行数", _text(total["issued"], "件")), ("うち失効", _text(total["revoked"], "件")),
                  ("うち再発行で差替", _text(total["superseded"], "件"))]
    return Report(table, _year_ja(year), chart, highlights)
