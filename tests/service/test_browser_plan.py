"""The plan page in headless Chromium (network cut off): inputs, the plan's map, two scenarios, exports, print.

The service is the real application on the seeded database (:mod:`hostile_directory` adds a
hostile agency and a confidential safe house), served by waitress; Chromium resolves no host
but localhost (:mod:`browser`).
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from browser import COUNT_DRAWN

pytestmark = pytest.mark.browser

READY = "html[data-rujuk-ready]"
TIMEOUT_MS = 60_000


@pytest.fixture
def page(chromium, base_url):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, base_url=base_url)
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    tab.errors = []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    context.close()


def _plan_frames(page) -> list:
    """Return the frames of the plan maps once each has drawn its shown layers, in the page's order."""
    page.locator("iframe.plan-map").first.wait_for()
    count = page.locator("iframe.plan-map").count()
    for index in range(count):
        page.frame_locator("iframe.plan-map").nth(index).locator(READY).wait_for(state="attached")
    return [f for f in page.frames if f != page.main_frame and f.parent_frame == page.main_frame][:count]


def _site_names(page, scenario: str) -> list[str]:
    return page.locator(f"#plan-{scenario} table.plan-sites tbody tr td:nth-child(2)").all_inner_texts()


def test_a_coordinator_fills_the_inputs_submits_and_sees_the_sites_and_their_map(page):
    page.goto("/plan?lang=en")
    page.select_option("#capability", "witness_protection")
    page.select_option("#model", "mclp")
    page.fill("#p", "2")
    page.fill("#standard", "8h")
    page.select_option("#measure", "police TPPO victims")
    page.fill("#period", "2023")
    page.select_option("#level", "regency")
    page.click("form.plan button[type=submit]")
    page.wait_for_load_state()
    sites = _site_names(page, "a")
    assert len(sites) == 2 and all(sites)
    figures = page.locator("#plan-a table.plan-figures").inner_text()
    assert "Demand within the standard" in figures and "Worst travel time" in figures
    assert "optimal" in page.locator("#plan-a .solver").inner_text()
    assert page.locator("#plan-a details.plan-newly_covered tbody tr").count() >= 1
    (frame,) = _plan_frames(page)
    assert frame.locator(".rujuk-plan-new").all_inner_texts() == ["1", "2"]  # the new sites, numbered in order
    offices = frame.evaluate(COUNT_DRAWN, "Existing and proposed offices")
    assert offices["markers"] == 2 and offices["paths"] >= 1  # numbered markers and the existing offices' dots
    newly = frame.evaluate(COUNT_DRAWN, "Areas newly within the standard")
    assert newly["paths"] >= page.locator("#plan-a details.plan-newly_covered tbody tr").count()
    frame.locator(".rujuk-plan-new").first.click()
    assert sites[0] in frame.locator(".rujuk-popup").inner_text()
    assert page.errors == []


def test_two_scenarios_side_by_side(page):
    page.goto("/plan?lang=en")
    page.fill("#p", "1")
    page.fill("#standard", "8h")
    page.check("#compare")
    page.fill("#b_p", "3")
    page.click("form.plan button[type=submit]")
    page.wait_for_load_state()
    a, b = _site_names(page, "a"), _site_names(page, "b")
    assert len(a) == 1 and len(b) == 3
    comparison = page.locator("table.plan-comparison")
    assert comparison.locator("thead th").all_inner_texts()[1:] == ["Scenario A", "Scenario B"]
    box_a, box_b = page.locator("#plan-a").bounding_box(), page.locator("#plan-b").bounding_box()
    assert box_a["x"] < box_b["x"] and abs(box_a["y"] - box_b["y"]) < 5  # in columns
    frames = _plan_frames(page)
    assert [f.locator(".rujuk-plan-new").count() for f in frames] == [1, 3]
    assert page.errors == []


def test_the_export_links_answer_files_and_the_print_view_leaves_out_the_form(page):
    page.goto("/plan?capability=witness_protection&p=1&standard=8h&level=regency&lang=en")
    links = page.locator("#plan-a p.exports a[download]")
    assert links.count() == 2
    with page.expect_download() as download:
        links.nth(1).click()
    assert download.value.suggested_filename == "rujuk-plan-witness_protection-p1.csv"
    answers = page.evaluate(
        """async (hrefs) => Promise.all(hrefs.map(async (href) => {
            const answer = await fetch(href);
            return {status: answer.status, type: answer.headers.get('content-type'), text: await answer.text()};
        }))""",
        [links.nth(i).get_attribute("href") for i in range(2)],
    )
    assert [a["status"] for a in answers] == [200, 200]
    assert answers[0]["type"] == "application/geo+json" and answers[1]["type"].startswith("text/csv")
    roles = {f["properties"]["role"] for f in json.loads(answers[0]["text"])["features"]}
    assert {"new_site", "existing_site"} <= roles
    rows = list(csv.DictReader(io.StringIO(answers[1]["text"])))
    assert [row["name"] for row in rows] == _site_names(page, "a")
    page.emulate_media(media="print")
    assert not page.locator("form.plan").is_visible() and not page.locator("[data-print]").is_visible()
    assert page.locator("table.plan-sites").is_visible()
