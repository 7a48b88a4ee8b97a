"""The public pages in Chromium: no serious or critical accessibility violation (axe-core), no sideways scrolling
on a phone, Japanese title and language. LMS_SCREENSHOTS_DIR=docs writes the screenshots that docs/ shows."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from lms.dates import fiscal_year, today_jst
from tests.browser.test_pages import CHROMIUM, live_url  # noqa: F401
from tests.conftest import bearer

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is installed by make setup")
HERE = Path(__file__).resolve().parent
FY = fiscal_year(today_jst())
PHONE, DESKTOP = "390x844", "1280x900"
SITES = [("備北", True, "clinic", "三次地区医療センター附属診療所", ["outpatient", "home_visits", "community_care"]),
         ("備北", True, "hospital", "庄原赤十字病院", ["outpatient", "ward", "home_visits"]),
         ("広島", False, "hospital", "広島市立広島市民病院", ["outpatient", "ward", "emergency"]),
         ("広島中央", False, "hospital", "東広島医療センター", ["outpatient", "ward"])]


@pytest.fixture(scope="module")
def node_modules():
    """axe-core and playwright-core from npm (make setup installs them; a fresh checkout gets them here)."""
    if not (HERE / "node_modules" / "axe-core").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, capture_output=True,
                       timeout=600)
    return HERE / "node_modules"


def check(url: str, size: str, shot: str | None = None) -> dict:
    target = os.environ.get("LMS_SCREENSHOTS_DIR")
    args = ["node", str(HERE / "check_page.mjs"), url, size]
    if shot and target:
        args.append(str(Path(target).resolve() / shot))
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, env={**os.environ, "CHROMIUM": CHROMIUM})
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def hiroshima(app, client, programs, make_user):
    from lms.enrollments.models import Enrollment
    from lms.extensions import db
    from lms.learners.models import Learner
    from lms.ojt.models import OjtSite, Placement
    from lms.programs.service import get_program

    with app.app_context():
        sites = []
        for i, (area, shortage, kind, name, activities) in enumerate(SITES):
            site = OjtSite(external_code=f"B{i}", name=name, kind=kind, prefecture_code="34",
                           secondary_medical_area=area, shortage_area=shortage, annual_capacity=4,
                           activities=activities)
            db.session.add(site)
            sites.append(site)
        program = get_program("GF-2026")
        for n in range(30):
            learner = Learner(family_name="画面", given_name="確認", family_name_kana="ガメン", given_name_kana="カクニン",
                              email=f"browser{n}@example.jp", medical_registration_number=str(7_000_000 + n),
                              license_year=2000, specialty="internal_medicine", workplace_prefecture_code="34",
                              organization_code="JPCA")
            db.session.add(learner)
            db.session.flush()
            year = FY - (n % 3 == 0)
            status = "completed" if n % 4 == 0 else "active"
            e = Enrollment(learner_id=learner.id, program_code="GF-2026", program_version_id=program.id,
                           fiscal_year=year, prefecture_code="34", organization_code="JPCA", status=status,
                           ever_active=True, applied_at=today_jst_datetime(year))
            db.session.add(e)
            db.session.flush()
            if n % 3 == 1:
                site = sites[n % len(sites)]
                db.session.add(Placement(enrollment_id=e.id, site_id=site.id, fiscal_year=year,
                                         start_date=e.applied_at.date(), end_date=e.applied_at.date(), status="active"))
        db.session.commit()
    token = make_user("prefecture_official", prefecture_code="34")[1]
    for name, measure, target in (("リカレント教育の受講者数", "participants", 40),
                                  ("医師少数区域でOJTを受けた医師数", "shortage_area_placements", 8)):
        client.post("/api/v1/prefectures/34/indicators", headers=bearer(token), json={
            "category_ja": "○", "name_ja": name, "measure": measure, "rationale_ja": "毎年着実に増やします。",
            "baseline_fiscal_year": FY - 1, "target_fiscal_year": FY + 2, "target_value": target,
            "source_ja": "リカレント教育LMS", "public": True})


def today_jst_datetime(year: int):
    from datetime import UTC, datetime

    return datetime(year, 6, 1, 3, tzinfo=UTC)


def assert_accessible(result: dict) -> None:
    assert result["status"] == 200 and result["lang"] == "ja"
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, serious


def test_index_is_accessible_with_a_tile_map(live_url, node_modules, hiroshima):  # noqa: F811
    result = check(f"{live_url}/public/prefectures", DESKTOP, "public-index.png")
    assert_accessible(result)
    assert "都道府県の取組" in result["title"]
    phone = check(f"{live_url}/public/prefectures", PHONE, "public-index-phone.png")
    assert_accessible(phone)
    assert phone["scrollWidth"] <= 390


def test_prefecture_page_is_accessible_on_a_phone_and_a_desktop(live_url, node_modules, hiroshima):  # noqa: F811
    phone = check(f"{live_url}/public/prefectures/34", PHONE, "public-prefecture-phone.png")
    assert_accessible(phone)
    assert phone["title"].startswith("広島県のリカレント教育")
    assert phone["scrollWidth"] <= 390  # nothing wider than the phone but the indicator table's own scroller
    assert_accessible(check(f"{live_url}/public/prefectures/34", DESKTOP, "public-prefecture-desktop.png"))


def test_embed_is_accessible(live_url, node_modules, hiroshima):  # noqa: F811
    assert_accessible(check(f"{live_url}/public/prefectures/34?embed=1", PHONE, "public-embed.png"))


def test_pamphlet_first_page_renders(live_url, hiroshima, tmp_path, client):  # noqa: F811
    pdf = tmp_path / "pamphlet.pdf"
    pdf.write_bytes(client.get("/public/prefectures/34/pamphlet.pdf").data)
    target = os.environ.get("LMS_SCREENSHOTS_DIR")
    out = (Path(target).resolve() if target else tmp_path) / "public-pamphlet"
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(out)],
                   check=True, timeout=60)
    assert out.with_suffix(".png").stat().st_size > 20_000
    assert shutil.which("pdftoppm")
