"""ETags and Cache-Control of the maps, their data and the static files; 304 while the data version holds."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from service import headers as response_headers
from webmap import assets

MAP_DATA = [
    "/map/national",
    "/map/national?lang=en",
    "/api/v1/areas?level=province",
    "/api/v1/areas?level=regency&measure=police TPPO cases",
    "/api/v1/agencies",
    "/api/v1/agreements",
    "/api/v1/cases",
    "/api/v1/coverage?capability=shelter&level=province&rules=with&geometry=false",
    "/api/v1/hotspots?measure=police TPPO cases&geometry=false",
]


@pytest.mark.parametrize("url", MAP_DATA)
def test_a_map_or_its_data_is_answered_304_while_the_data_version_holds(live, url):
    app, _, _ = live
    client = app.test_client()
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert tag.startswith('W/"') and first.headers["Cache-Control"] == response_headers.PUBLIC
    again = client.get(url, headers={"If-None-Match": tag, "Accept-Encoding": "gzip"})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == tag and again.headers["Cache-Control"] == response_headers.PUBLIC
    assert "Cookie" in again.headers["Vary"]
    plain = client.get(url, headers={"If-None-Match": tag})  # the plain bytes have the same (weak) tag
    assert plain.status_code == 304
    stale = client.get(url, headers={"If-None-Match": 'W/"0123456789abcdef", "other"'})
    assert stale.status_code == 200 and stale.headers["ETag"] == tag


def test_the_tag_names_the_question_and_the_language(live):
    app, _, _ = live
    client = app.test_client()
    tags = {url: client.get(url).headers["ETag"] for url in MAP_DATA}
    assert len(set(tags.values())) == len(MAP_DATA)
    assert client.get("/map/national?lang=id").headers["ETag"] != tags["/map/national?lang=en"]


def test_a_directory_write_changes_the_tag_of_every_map_answer(live):
    app, _, editor = live
    client = app.test_client()
    before = {url: client.get(url).headers["ETag"] for url in MAP_DATA}
    agency = client.get("/api/v1/agencies/uptd-ppa-kukar", headers=editor)
    retired = client.post(
        "/api/v1/agencies/uptd-ppa-kukar/retire", headers={**editor, "If-Match": agency.headers["ETag"]}, json={}
    )
    assert retired.status_code == 200
    for url, tag in before.items():
        answer = client.get(url, headers={"If-None-Match": tag})
        assert answer.status_code == 200 and answer.headers["ETag"] != tag, url


def test_a_write_to_the_database_itself_changes_the_tag(live):
    app, engine, _ = live
    client = app.test_client()
    url = "/api/v1/agencies"
    tag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 304
    with engine.begin() as connection:
        connection.execute(text("UPDATE agencies SET phone = '0541 000' WHERE id = 'uptd-ppa-kukar'"))
    changed = client.get(url, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert "0541 000" in changed.get_data(as_text=True)


def test_signed_in_and_token_callers_get_no_tag_and_no_304(live):
    app, _, editor = live
    client = app.test_client()
    tag = client.get("/api/v1/agencies").headers["ETag"]
    answer = client.get("/api/v1/agencies", headers={**editor, "If-None-Match": tag})
    assert answer.status_code == 200 and "ETag" not in answer.headers
    assert answer.headers["Cache-Control"] == response_headers.PRIVATE


def test_routes_that_are_never_stored_get_no_tag(live):
    app, _, _ = live
    client = app.test_client()
    for url in ("/api/v1/referrals?at=Tenggarong&needs=shelter", "/api/v1/places?q=Tenggarong", "/api/v1/health"):
        answer = client.get(url, headers={"If-None-Match": "*"})
        assert answer.status_code == 200 and "ETag" not in answer.headers, url
        assert answer.headers["Cache-Control"] == response_headers.PRIVATE, url


def test_versioned_libraries_are_immutable_and_revalidate_with_304(live):
    app, _, _ = live
    client = app.test_client()
    url = assets.resource_url("leaflet")
    library = client.get(url)
    control = library.headers["Cache-Control"]
    assert library.status_code == 200 and {"public", "max-age=31536000", "immutable"} <= {
        part.strip() for part in control.split(",")
    }
    again = client.get(url, headers={"If-None-Match": library.headers["ETag"]})
    assert again.status_code == 304 and "immutable" in again.headers["Cache-Control"]


@pytest.mark.parametrize("url", ["/static/webmap/rujuk-map.js", "/static/pages/rujuk.css"])
def test_own_scripts_and_styles_revalidate_with_304_and_are_not_immutable(live, url):
    app, _, _ = live
    client = app.test_client()
    answer = client.get(url)
    assert answer.status_code == 200 and "immutable" not in answer.headers.get("Cache-Control", "")
    assert client.get(url, headers={"If-None-Match": answer.headers["ETag"]}).status_code == 304


def _counter_reads(engine) -> list[str]:
    """Return the list that collects every statement reading the data version on `engine` (SQLite's own trace)."""
    reads: list[str] = []

    def trace(dbapi_connection, _record, _proxy) -> None:
        dbapi_connection.set_trace_callback(lambda sql: reads.append(sql) if "data_changes" in sql else None)

    event.listen(engine.pool, "checkout", trace)
    return reads


@pytest.mark.parametrize("url", [url for url in MAP_DATA if url.startswith("/api/v1/coverage")])
def test_a_map_answer_reads_the_data_version_once_and_the_next_request_reads_it_again(live, url):
    app, engine, _ = live
    if engine.dialect.name != "sqlite":
        pytest.skip("counts statements with SQLite's trace callback")
    client = app.test_client()
    tag = client.get(url).headers["ETag"]  # computed and kept
    reads = _counter_reads(engine)
    answer = client.get(url)  # the tag and the kept answer's key: one version, one read
    assert answer.status_code == 200 and answer.headers["ETag"] == tag and len(reads) == 1
    with engine.begin() as connection:  # as another worker or the command line would write
        connection.execute(text("UPDATE agencies SET phone = '0541 000' WHERE id = 'uptd-ppa-kukar'"))
    reads.clear()
    changed = client.get(url, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert len([sql for sql in reads if sql.lstrip().upper().startswith("SELECT COUNTER")]) == 1
