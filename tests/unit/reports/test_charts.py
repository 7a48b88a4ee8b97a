"""Chart geometry: the 47-prefecture tile map and bar charts."""

from lms.reports.charts import TILE_GRID, bar_chart, nice_step, tile_map
from lms.reports.types import Chart


def test_tile_grid_places_all_47_prefectures_on_distinct_tiles():
    assert sorted(TILE_GRID) == [f"{n:02d}" for n in range(1, 48)]
    assert len(set(TILE_GRID.values())) == 47


def test_tile_map_colours_by_value_and_greys_zero():
    chart = tile_map(Chart("tile_map", "受講者数", "人", values={"13": 80, "01": 1, "47": 0}))
    tiles = {tile["name"]: tile for tile in chart["tiles"]}
    assert len(tiles) == 47
    assert tiles["東京"]["fill"] == "#08519c" and tiles["東京"]["value"] == "80"
    assert tiles["北海道"]["fill"] == "#dbe9f6"
    assert tiles["沖縄"]["fill"] == "#f0f0f0"
    assert [item["label"] for item in chart["legend"]] == ["0", "1〜20", "21〜40", "41〜60", "61〜80"]


def test_nice_steps_are_round():
    assert nice_step(80, 4) == 20
    assert nice_step(213, 5) == 50
    assert nice_step(0, 4) == 1
    assert nice_step(7, 4) == 2


def test_many_labels_become_columns_and_few_become_bars():
    months = bar_chart(Chart("bar", "月別", "件", labels=[f"{m}月" for m in range(1, 13)],
                             series=[("発行数", [1] * 12)]))
    assert months["orientation"] == "vertical" and len(months["bars"]) == 12
    programs = bar_chart(Chart("bar", "プログラム別", "人", labels=["A", "B"],
                               series=[("受講者数", [10, 5]), ("修了", [4, 0])]))
    assert programs["orientation"] == "horizontal" and len(programs["bars"]) == 4
    widths = [bar["w"] for bar in programs["bars"]]
    assert widths[0] > widths[2] > widths[1] > widths[3] == 0
