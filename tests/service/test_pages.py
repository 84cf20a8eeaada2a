"""The HTML pages on the real seeded database.

Both languages, referral, suppression, escaping, privacy, editor forms.
"""

from __future__ import annotations

import gzip
import io
import json
import re
from pathlib import Path

import pytest
from hostile_directory import HOSTILE, PASSWORD, SAFE_HOUSE, safe_house_traces

import directory
from accounts import users
from app import create_app
from core.db import session_scope
from service.pages import editor as pages_editor
from service.pages import referral as pages_referral
from service.pages.strings import LANGUAGES, STRINGS
from webmap import assets

PAGES = ["/", "/referral", "/directory", "/about"]
PAGES_DIR = Path(__file__).resolve().parents[2] / "service" / "pages"


@pytest.fixture(scope="module")
def engine(pages_engine):
    """The seeded database with a hostile agency, a safe house and users (:mod:`hostile_directory`)."""
    return pages_engine


@pytest.fixture(scope="module")
def app(engine):
    app = create_app(engine, prepare_data=False)
    app.testing = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def _csrf(client, path: str = "/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def _sign_in(client, username: str) -> None:
    answer = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": _csrf(client)})
    assert answer.status_code == 302


@pytest.fixture
def editor(app):
    client = app.test_client()
    _sign_in(client, "eko.editor")
    return client


@pytest.fixture
def caseworker(app):
    client = app.test_client()
    _sign_in(client, "citra.caseworker")
    return client


def _text(answer) -> str:
    return answer.get_data(as_text=True)


def _rows_of(html: str) -> list[str]:
    return re.findall(r"<tr[^>]*>(.*?)</tr>", html, flags=re.S)


# --- languages and strings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_in_both_languages(client, path, lang):
    answer = client.get(f"{path}?lang={lang}")
    assert answer.status_code == 200
    assert f'<html lang="{lang}">' in _text(answer)
    assert STRINGS[lang]["nav_directory"] in _text(answer)


def test_language_choice_is_remembered_and_indonesian_is_the_default(client):
    assert '<html lang="id">' in _text(client.get("/about"))
    client.get("/?lang=en")
    page = _text(client.get("/directory"))
    assert '<html lang="en">' in page and "Service directory" in page
    assert '<html lang="id">' in _text(client.get("/about?lang=id"))


def test_national_map_frame_is_the_folium_map_in_the_chosen_language(client):
    page = _text(client.get("/map/national?lang=en&capability=shelter"))
    assert "RujukMap." in page and "Service agencies" in page
    assert "Lembaga layanan" in _text(client.get("/map/national?lang=id"))


def test_strings_have_the_same_keys_in_both_languages():
    assert set(STRINGS["id"]) == set(STRINGS["en"])
    assert all(text.strip() for table in STRINGS.values() for text in table.values())


def test_every_string_key_used_by_the_pages_exists():
    sources = [p.read_text(encoding="utf-8") for p in (PAGES_DIR / "templates").glob("*.html")]
    sources += [p.read_text(encoding="utf-8") for p in PAGES_DIR.glob("*.py")]
    used = {key for text in sources for key in re.findall(r"\bt\(\s*['\"]([a-z0-9_]+)['\"]\s*[,)]", text)}
    used |= {f"nav_{name}" for name in ("map", "referral", "directory", "about")}
    used |= {f"role_{role}" for role in users.ROLES} | {f"tier_{tier}" for tier in ("provincial", "national", "any")}
    used |= {f"{verb}_{form.noun}" for verb in ("add", "edit") for form in pages_editor.FORMS.values()}
    used |= {f"kind_{kind}" for kind in pages_editor.FORMS} | set(pages_referral.KNOWN_NOTES.values())
    used |= {f"field_{name}" for form in pages_editor.FORMS.values() for name in (*form.widgets, *form.flags)}
    used |= {"field_capabilities"}
    assert len(used) > 150
    assert used - set(STRINGS["id"]) == set()


# --- referral ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "label"), [("en", "by cooperation agreement"), ("id", "berdasarkan perjanjian kerja sama")]
)
def test_referral_from_tenggarong_lists_penajam_paser_utara_by_agreement(client, lang, label):
    answer = client.get(f"/referral?at=Tenggarong&needs=psychological&lang={lang}")
    assert answer.status_code == 200
    rows = [row for row in _rows_of(_text(answer)) if "Penajam Paser Utara" in row]
    assert rows and all(label in row for row in rows)
    assert re.search(r'<td class="num">\d+h\d\d', rows[0])  # travel time as 2h05, as the command line writes it
    assert 'srcdoc="' in _text(answer)  # the referral map


def test_referral_from_penajam_shows_kukar_by_agreement_for_one_need_and_coordination_for_the_other(client):
    answer = client.get("/referral?at=Penajam&needs=shelter&needs=psychological&k=30&lang=en")
    rows = [row for row in _rows_of(_text(answer)) if "UPTD PPA Kabupaten Kutai Kartanegara" in row]
    assert rows
    assert "by cooperation agreement" in rows[0] and "cross-border: coordination needed" in rows[0]


def test_referral_form_offers_every_need_with_labels_in_the_language(client):
    page = _text(client.get("/referral?lang=en"))
    assert 'name="needs" value="witness_protection"' in page and "Witness and victim protection" in page
    assert "Perlindungan saksi dan korban" in _text(client.get("/referral?lang=id"))


@pytest.mark.parametrize(
    ("query", "field", "value"),
    [
        ("at=Tenggarong&needs=flying", "needs", "flying"),
        ("at=Tenggarong&needs=shelter&max_time=soon", "max_time", "soon"),
        ("at=Tenggarong&needs=shelter&on=2024-13-45", "on", "2024-13-45"),
        ("at=Tenggarong", "needs", ""),
        ("at=&needs=shelter", "at", ""),
        ("at=Kupang&needs=shelter", "at", "Kupang"),
    ],
)
def test_bad_referral_input_is_shown_on_the_page_with_status_400(client, query, field, value):
    answer = client.get(f"/referral?{query}&lang=en")
    assert answer.status_code == 400
    page = _text(answer)
    assert 'role="alert"' in page and f"Field: {field}; value: {value}" in page
    assert 'name="needs"' in page  # the form is shown again


def test_an_ambiguous_place_offers_its_candidates_as_forms_that_keep_the_needs(client):
    page = _text(client.get("/referral?at=Kupang&needs=shelter&lang=en"))
    choices = re.findall(r'<form method="post" action="/referral" class="inline">(.*?)</form>', page, flags=re.S)
    codes = {re.search(r'name="at" value="([^"]+)"', choice).group(1) for choice in choices}
    assert {"53.71", "53.01"} <= codes
    assert all('name="needs" value="shelter"' in choice and 'name="csrf_token"' in choice for choice in choices)
    assert "(regency or city 53.71" in page and "(regency seat 53.71" in page


def test_the_referral_form_is_posted_so_the_place_stays_out_of_the_url(client):
    form = _text(client.get("/referral?lang=en"))
    assert re.search(r'<form class="referral no-print" method="post"', form)
    data = {"at": "Tenggarong", "needs": ["psychological"], "csrf_token": _csrf(client, "/referral")}
    posted = client.post("/referral", data=data)
    assert posted.status_code == 200 and "Penajam Paser Utara" in _text(posted)
    assert client.post("/referral", data={**data, "csrf_token": "forged"}).status_code == 400
    assert posted.headers["Referrer-Policy"] == "no-referrer"


# --- map page and suppression ------------------------------------------------------------------------------


def test_small_counts_are_shown_as_suppressed_on_the_map_page(client):
    page = _text(client.get("/?measure=police TPPO cases&lang=en"))
    counts = re.findall(r'<td class="num">([^<]*)</td>\s*<td class="num">', page)
    assert "&lt;5" in counts and {"5", "7"} <= set(counts)
    assert not {"0", "1", "2", "4"} & set(counts)
    assert "Small counts are suppressed" in page


def test_caseworkers_see_true_counts(caseworker):
    page = _text(caseworker.get("/?measure=police TPPO cases&lang=en"))
    counts = re.findall(r'<td class="num">([^<]*)</td>\s*<td class="num">', page)
    assert "&lt;5" not in counts and {"1", "2", "4"} <= set(counts)


def test_an_unknown_measure_is_a_400_on_the_page(client):
    answer = client.get("/?measure=nothing&lang=en")
    assert answer.status_code == 400 and "Field: measure; value: nothing" in _text(answer)
    assert client.get("/map/national?capability=flying").status_code == 400


# --- escaping and privacy ----------------------------------------------------------------------------------


PUBLIC_URLS = [
    "/",
    "/directory",
    "/directory?q=img",
    "/referral?at=53.71&needs=shelter",
    "/about",
    "/map/national",
    "/directory?area=53.71",
    "/referral?at=Kupang&needs=shelter",
]


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_script_payloads_in_the_directory_are_escaped_on_every_page(client, caseworker, url):
    for who in (client, caseworker):
        page = _text(who.get(url))
        assert not any(payload in page for payload in HOSTILE)


def test_the_hostile_agency_is_shown_escaped(client):
    for url in ("/directory?q=img&lang=en", "/referral?at=53.71&needs=shelter&lang=en"):
        assert "&lt;img src=x onerror=alert(1)&gt;" in _text(client.get(url))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in _text(client.get("/about"))


@pytest.mark.parametrize(
    "url",
    [
        "/directory",
        "/directory?q=rumah",
        "/referral?at=53.71&needs=shelter",
        "/referral?at=53.71&needs=psychological&lang=en",
        "/map/national",
    ],
)
def test_no_confidential_point_in_public_page_source(client, url):
    answer = client.get(url)
    assert answer.status_code == 200
    assert safe_house_traces(_text(answer)) == []


def test_caseworkers_see_the_safe_house(caseworker):
    page = _text(caseworker.get("/referral?at=53.71&needs=shelter"))
    assert "Rumah Aman Uji" in page and safe_house_traces(page)
    assert SAFE_HOUSE["address"] in _text(caseworker.get("/directory?q=rumah"))


def test_the_public_sees_the_safe_house_at_its_regency_only(client):
    page = _text(client.get("/directory?q=rumah&lang=en"))
    assert "Rumah Aman Uji" in page and "Confidential location" in page


# --- directory and editors ---------------------------------------------------------------------------------


def test_directory_search_by_name_capability_type_and_area(client):
    page = _text(client.get("/directory?q=lpsk&capability=witness_protection&lang=en"))
    assert "LPSK Perwakilan Nusa Tenggara Timur" in page or "LPSK Perwakilan NTT" in page
    assert "UPTD PPA Kabupaten Kutai Kartanegara" not in page
    page = _text(client.get("/directory?area=64.09&agency_type=uptd_ppa"))
    assert "Penajam Paser Utara" in page and "LPSK" not in page.split("<h2>")[0].split("</form>")[-1]
    answer = client.get("/directory?area=99.99&lang=en")
    assert answer.status_code == 404 and "99.99" in _text(answer)


@pytest.mark.parametrize(
    ("lang", "mission", "home"), [("en", "Indonesian mission", "Home"), ("id", "Perwakilan RI", "Daerah asal")]
)
def test_a_victim_found_in_tawau_gets_the_chain_home_on_the_page(client, lang, mission, home):
    page = _text(
        client.get(f"/referral?at=Tawau&needs=repatriation_international&home=53.01&modes=road,sea&lang={lang}")
    )
    chain = page.split('<table class="chain">')[1].split("</table>")[0]
    rows = _rows_of(chain.split("</thead>")[1])
    assert len(rows) == 4 and mission in rows[0] and "KRI Tawau" in rows[0] and home in rows[3]
    assert "Nunukan" in rows[1] and "BP3MI Kalimantan Utara" in rows[2]


def test_the_home_regency_on_the_page_shows_the_way_home_and_reintegration_there(client):
    page = _text(client.get("/referral?at=Kota+Batam&needs=reintegration&home=Kabupaten+Kupang&lang=en"))
    assert "Home: Kabupaten Kupang (53.01)" in page and "The way home takes" in page
    assert "Reintegration near her home" in page
    answer = client.get("/referral?at=Kota+Batam&needs=reintegration&home=-10.1,123.6&lang=en")
    assert answer.status_code == 400 and "home" in _text(answer)


def test_the_directory_shows_missions_abroad_by_city_and_hotlines_as_lines_to_call(client):
    rows = _rows_of(_text(client.get("/directory?q=tawau&lang=en")))
    tawau = next(row for row in rows if "KRI Tawau" in row)
    assert "Abroad: Tawau, MY" in tawau and "None" not in tawau and "nan" not in tawau
    rows = _rows_of(_text(client.get("/directory?agency_type=hotline&lang=id")))
    assert len([row for row in rows if "Layanan telepon nasional" in row]) == 4


@pytest.mark.parametrize(
    "url",
    ["/directory/agencies/new", "/directory/agreements/new", "/directory/import", "/directory/agencies/lpsk-ntt/edit"],
)
def test_editor_forms_send_the_public_to_sign_in(client, caseworker, url):
    answer = client.get(url)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert caseworker.get(url).status_code == 403
    assert client.post(url, data={"name": "x"}).status_code in (302, 400)  # no CSRF token, no user


@pytest.mark.parametrize(
    "url",
    [
        "/directory/agencies/new",
        "/directory/agreements/new",
        "/directory/import",
        "/directory/agencies/lpsk-ntt/edit",
        "/directory/agreements/pks-kukar-ppu-2024/edit",
    ],
)
def test_editor_forms_carry_a_csrf_token(editor, url):
    answer = editor.get(url)
    assert answer.status_code == 200
    assert re.search(r'<input type="hidden" name="csrf_token" value="[^"]+">', _text(answer))


def test_editors_see_edit_links_and_the_logout_form(editor, client):
    page = _text(editor.get("/directory"))
    assert "/directory/agencies/lpsk-ntt/edit" in page and 'action="/logout"' in page and "csrf_token" in page
    assert "/directory/agencies/lpsk-ntt/edit" not in _text(client.get("/directory"))


def _agency_form(**changes: str) -> dict[str, object]:
    form = {
        "id": "uptd-ppa-uji",
        "name": "UPTD PPA Uji",
        "agency_type": "uptd_ppa",
        "jurisdiction_level": "regency",
        "area_code": "64.09",
        "location_precision": "regency_seat",
        "source": "test",
        "capabilities": ["legal_aid"],
    }
    return {**form, **changes}


def test_a_post_without_csrf_token_is_refused(editor):
    answer = editor.post("/directory/agencies/new", data=_agency_form(id="no-token"))
    assert answer.status_code == 400
    with session_scope(editor.application.config["RUJUK_ENGINE"]) as session:
        assert session.get(directory.ServiceLocation, "no-token") is None


def test_an_editor_adds_an_agency_and_sees_row_errors_next_to_the_fields(editor):
    engine = editor.application.config["RUJUK_ENGINE"]
    token = _csrf(editor, "/directory/agencies/new")
    bad = _agency_form(id="uptd-ppa-salah", agency_type="polisi", lon="200", lat="1", location_precision="exact")
    answer = editor.post("/directory/agencies/new?lang=en", data={**bad, "csrf_token": token})
    page = _text(answer)
    assert answer.status_code == 400 and "Nothing was saved" in page
    assert re.search(r'id="agency_type-error">“polisi” is not a known agency_type', page)
    assert 'id="lon-error"' in page and 'value="UPTD PPA Uji"' in page  # the form keeps what was typed
    with session_scope(engine) as session:
        assert session.get(directory.ServiceLocation, "uptd-ppa-salah") is None
    answer = editor.post("/directory/agencies/new", data={**_agency_form(), "csrf_token": token})
    assert answer.status_code == 302
    assert "UPTD PPA Uji" in _text(editor.get(answer.headers["Location"]))
    taken = editor.post("/directory/agencies/new?lang=en", data={**_agency_form(), "csrf_token": token})
    assert taken.status_code == 400 and "is taken" in _text(taken)


def _button_version(page: str, action: str) -> str:
    """Return the version carried by the form (a retire or end button) posting to `action`."""
    hidden = r'">\s*<input[^>]*>\s*<input type="hidden" name="version" value="([0-9]+)"'
    return re.search(re.escape(action) + hidden, page)[1]


def test_an_editor_edits_and_retires_an_agency(editor, client):
    token = _csrf(editor, "/directory/agencies/lpsk-ntt/edit")
    form = _text(editor.get("/directory/agencies/lpsk-ntt/edit"))
    assert 'value="Jl. Basuki Rahmat, Kupang"' in form or "Basuki Rahmat" in form
    fields = dict(re.findall(r'<input id="([a-z_]+)" name="[a-z_]+" value="([^"]*)"', form))
    selected = dict(re.findall(r'<select id="([a-z_]+)"[^>]*>.*?<option value="([^"]+)" selected', form, flags=re.S))
    checked = re.findall(r'name="capabilities" value="([a-z_]+)" checked', form)
    data = {
        **fields,
        **selected,
        "capabilities": checked,
        "phone": "0380-123456",
        "existence_confirmed": "true",
        "csrf_token": token,
        "version": re.search(r'name="version" value="([0-9]+)"', form)[1],
    }
    answer = editor.post("/directory/agencies/lpsk-ntt/edit", data=data)
    assert answer.status_code == 302, _text(answer)[:2000]
    assert "0380-123456" in _text(client.get("/directory?q=lpsk"))
    version = _button_version(_text(editor.get("/directory?q=uptd-ppa-uji")), "/directory/agencies/uptd-ppa-uji/retire")
    answer = editor.post("/directory/agencies/uptd-ppa-uji/retire", data={"csrf_token": token, "version": version})
    assert answer.status_code == 302
    assert "UPTD PPA Uji" not in _text(client.get("/directory"))


def test_an_editor_adds_an_agreement(editor, client):
    token = _csrf(editor, "/directory/agreements/new")
    data = {
        "id": "pks-uji",
        "area_a": "53.71",
        "area_b": "53.01",
        "capabilities": ["shelter"],
        "title": "PKS Uji Kupang",
        "source": "test",
        "csrf_token": token,
    }
    bad = editor.post("/directory/agreements/new?lang=en", data={**data, "area_b": "53"})
    assert bad.status_code == 400 and 'id="area_b-error"' in _text(bad)
    assert editor.post("/directory/agreements/new", data=data).status_code == 302
    assert "PKS Uji Kupang" in _text(client.get("/directory"))


def test_an_editor_ends_an_agreement_which_then_shows_only_among_the_ended(editor, client):
    token = _csrf(editor, "/directory/agreements/new")
    data = {
        "id": "pks-akhir",
        "area_a": "53.71",
        "area_b": "53.02",
        "capabilities": ["legal_aid"],
        "title": "PKS Uji Berakhir",
        "source": "test",
        "csrf_token": token,
    }
    assert editor.post("/directory/agreements/new", data=data).status_code == 302
    assert client.post("/directory/agreements/pks-akhir/end").status_code == 400  # no CSRF token, no session
    version = _button_version(_text(editor.get("/directory")), "/directory/agreements/pks-akhir/end")
    ended = editor.post("/directory/agreements/pks-akhir/end?lang=en", data={"csrf_token": token, "version": version})
    assert ended.status_code == 302
    assert "PKS Uji Berakhir" not in _text(client.get("/directory"))
    listed = _text(editor.get("/directory?retired=1&lang=en"))
    assert "PKS Uji Berakhir" in listed and "Ended " in listed
    assert editor.post("/directory/agreements/no-such-pks/end", data={"csrf_token": token}).status_code == 404


def _upload(editor, text: str, name: str = "agencies.csv", kind: str = "agencies"):
    token = _csrf(editor, "/directory/import")
    data = {"kind": kind, "mode": "upsert", "csrf_token": token, "file": (io.BytesIO(text.encode("utf-8")), name)}
    return editor.post("/directory/import?lang=en", data=data, content_type="multipart/form-data")


def test_a_rejected_import_lists_every_row_error_and_writes_nothing(editor):
    engine = editor.application.config["RUJUK_ENGINE"]
    before = len(directory.agencies_frame(engine, include_retired=True))
    header = ",".join(directory.AGENCY_FIELDS)
    good = "imp-ok,Impor OK,,,ngo,regency,64.09,legal_aid,,,,regency_seat,,,,,,,,,,,test,,"
    bad_type = "imp-bad,Impor Buruk,,,kapal,regency,64.09,legal_aid,,,,regency_seat,,,,,,,,,,,test,,"
    bad_area = "imp-bad2,Impor Buruk 2,,,ngo,regency,99.99,terbang,,,,regency_seat,,,,,,,,,,,test,,"
    answer = _upload(editor, "\n".join([header, good, bad_type, bad_area]) + "\n")
    page = _text(answer)
    assert answer.status_code == 422 and "nothing was saved" in page
    rows = [row for row in _rows_of(page) if "<td>" in row]
    assert {re.search(r"<td>(\d+)</td>", row).group(1) for row in rows} == {"2", "3"}
    assert "kapal" in page and "99.99" in page and "terbang" in page
    assert len(directory.agencies_frame(engine, include_retired=True)) == before
    answer = _upload(editor, "\n".join([header, good]) + "\n")
    assert answer.status_code == 302
    assert len(directory.agencies_frame(engine, include_retired=True)) == before + 1


def test_an_unreadable_upload_is_a_400(editor):
    answer = _upload(editor, "{not json", name="agencies.geojson")
    assert answer.status_code == 400 and "Field: file" in _text(answer)
    assert _upload(editor, "x", name="agencies.xlsx").status_code == 400


# --- headers ---------------------------------------------------------------------------------------------------


def test_every_page_carries_the_security_headers_and_varies_with_the_cookie(client):
    answer = client.get("/?lang=en")
    policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in policy and "connect-src 'self'" in policy
    assert "img-src 'self' data: https://tile.openstreetmap.org" in policy
    assert answer.headers["X-Frame-Options"] == "SAMEORIGIN" and answer.headers["Referrer-Policy"] == "no-referrer"
    assert "Cookie" in answer.headers["Vary"]


def test_answers_to_signed_in_users_are_never_stored_by_a_cache(caseworker, client):
    for url in ("/referral?at=53.71&needs=shelter", "/directory", "/map/national", "/api/v1/agencies"):
        assert caseworker.get(url).headers["Cache-Control"] == "private, no-store", url
    assert "no-store" not in client.get("/api/v1/agencies").headers.get("Cache-Control", "")
    library = caseworker.get(assets.resource_url("leaflet"))
    assert library.status_code == 200 and "max-age=31536000" in library.headers["Cache-Control"]


def test_large_answers_are_compressed_when_the_browser_accepts_it(client):
    plain = client.get("/api/v1/areas?level=province")
    packed = client.get("/api/v1/areas?level=province", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert len(packed.get_data()) < len(plain.get_data()) / 3
    assert json.loads(gzip.decompress(packed.get_data())) == plain.get_json()


@pytest.mark.parametrize(("lang", "text"), [("id", "Halaman tidak ditemukan."), ("en", "Page not found.")])
def test_an_unknown_url_gets_an_error_page_in_the_visitors_language(client, lang, text):
    answer = client.get(f"/no/such/page?lang={lang}")
    assert answer.status_code == 404 and text in _text(answer) and f'<html lang="{lang}">' in _text(answer)
    assert client.get("/api/v1/no-such-route").get_json()["error"]["field"] == "path"  # the API keeps JSON


def test_a_refused_csrf_token_on_sign_in_is_explained_in_the_visitors_language(client):
    answer = client.post("/login?lang=en", data={"username": "x", "password": "y", "csrf_token": "forged"})
    assert answer.status_code == 400 and "The form has expired or is not valid (CSRF token)" in _text(answer)
    wrong_method = client.post("/about?lang=en", data={"csrf_token": _csrf(client)})
    assert wrong_method.status_code == 405 and "This kind of request is not allowed here." in _text(wrong_method)


@pytest.mark.parametrize(
    ("lang", "text", "other"),
    [
        ("id", "gabungan terbaik memakai 2 lembaga", "No single agency"),
        ("en", "the best set combines 2 agencies", "Tidak ada satu lembaga"),
    ],
)
def test_a_referral_with_no_single_capable_agency_says_so_in_the_page_language(client, lang, text, other):
    page = _text(client.get(f"/referral?at=53.71&needs=witness_protection&needs=forensic_exam&lang={lang}"))
    assert text in page and other not in page


def test_a_province_as_origin_is_explained_in_indonesian(client):
    page = _text(client.get("/referral?at=64&needs=shelter&lang=id"))
    assert "adalah provinsi" in page and "is a province" not in page
