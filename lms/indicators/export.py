"""The indicator table as a 医療計画 prints it: 区分, 指標等, 目標の考え方, 現状値, 目標値, 指標の出典."""

from lms.dates import utcnow
from lms.indicators.rules import era_value
from lms.stats.tables import Table

COLUMNS = [("category_ja", "区分"), ("name_ja", "指標等"), ("rationale_ja", "目標の考え方"),
           ("current", "現状値"), ("target", "目標値"), ("source_ja", "指標の出典")]


def plan_row(indicator: dict) -> dict:
    """One indicator with 現状値 and 目標値 written like `[R7] 22人`."""
    unit = indicator["unit_ja"]
    return {
        "category_ja": indicator["category_ja"], "name_ja": indicator["name_ja"],
        "rationale_ja": indicator["rationale_ja"],
        "current": era_value(indicator["current_fiscal_year"], indicator["current_value"], unit),
        "target": era_value(indicator["target_fiscal_year"], indicator["target_value"], unit),
        "source_ja": indicator["source_ja"],
    }


def indicator_table(prefecture_name_ja: str, indicators: list[dict]) -> Table:
    """The table for CSV (formula-safe, UTF-8 with BOM) and XLSX downloads."""
    return Table(COLUMNS, [plan_row(i) for i in indicators], f"{prefecture_name_ja} リカレント教育の指標",
                 utcnow(), ["現状値は、データのある最新の年度の値です（本システムで集計）。"
                            "[R7] は令和7年度を表します。"])
