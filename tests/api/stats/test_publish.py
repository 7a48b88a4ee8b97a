"""Which cells a viewer's tables hide (pure functions, no database)."""

from lms.stats.publish import breakdown_cells, prefecture_cells, site_cells

BLOCKS = {"東北": ["02", "03", "04"], "関東信越": ["13", "14"]}


def counts(active=0, suspended=0, completed=0, withdrawn=0, withdrawn_participants=0, rejected=0, applied=0,
           placements=0, hosting=0):
    return {"applied": applied, "active": active, "suspended": suspended, "completed": completed,
            "withdrawn": withdrawn, "rejected": rejected,
            "participants": active + suspended + completed + withdrawn_participants,
            "ojt_sites": hosting, "ojt_sites_hosting": hosting, "placements": placements,
            "ojt_hours_approved": 0}


def table(**overrides):
    base = {code: counts(active=10, completed=10) for members in BLOCKS.values() for code in members}
    return {**base, **overrides}


def test_a_small_status_takes_a_linked_partner_in_its_row():
    hidden = prefecture_cells(table(**{"02": counts(active=10, suspended=1, completed=10)}), BLOCKS, 3, ())
    row = hidden.rows["02"]
    assert "suspended" in row and len({"active", "completed", "participants"} & set(row)) >= 1


def test_exact_rows_are_never_hidden():
    hidden = prefecture_cells(table(**{"13": counts(active=1)}), BLOCKS, 3, {"13"})
    assert hidden.rows["13"] == ()


def test_placements_equal_to_hosting_sites_are_hidden_even_when_large():
    data = table(**{"02": counts(active=10, completed=10, placements=5, hosting=5),
                    "03": counts(active=10, completed=10, placements=20, hosting=4)})
    hidden = prefecture_cells(data, BLOCKS, 3, ())
    assert {"placements", "ojt_hours_approved"} <= set(hidden.rows["02"])


def test_breakdown_is_withheld_in_full_where_the_total_is_hidden():
    data = {"surgery": counts(active=4, suspended=1), "pediatrics": counts(active=5), "none": counts()}
    total = {**counts(active=9, suspended=1), "suspended": None}
    hidden = breakdown_cells(data, total, 3)
    assert hidden["none"] == ("active", "suspended", "participants")  # completed adds up to a published 0
    assert "applied" not in hidden["surgery"]


def test_breakdown_of_all_ones_under_a_known_total_is_withheld_with_its_zeros():
    data = {"a": counts(active=1), "b": counts(active=1), "c": counts(active=1), "d": counts()}
    hidden = breakdown_cells(data, counts(active=3), 3)
    assert all("active" in hidden[key] for key in "abcd")


def test_sites_under_a_hidden_total_are_all_hidden_but_zeros_stay():
    placements = {"s1": 5, "s2": 0, "s3": 4}
    sites, areas = site_cells(placements, {"x": ["s1", "s2"], "y": ["s3"]}, 3, total_hidden=True)
    assert sites == {"s1", "s3"} and areas == {"x", "y"}
    sites, areas = site_cells(placements, {"x": ["s1", "s2"], "y": ["s3"]}, 3, total_hidden=False)
    assert sites == set() and areas == set()
