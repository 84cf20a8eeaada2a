"""Open Referral HSDS 3.0: the sample directory exports valid HSDS and imports back to the same records."""

from __future__ import annotations

import json

import jsonschema
import pytest
from enriched_sample import RETIRED, SECRET, SHELTER, enrich
from sqlalchemy import func, select

import directory
from core import db
from core.db import session_scope
from core.errors import ImportRejectedError, InputError
from core.values import is_missing
from directory import _hsds_schema, hsds
from directory import io as directory_io
from directory.agencies import Organization, ServiceLocation
from geo import sources
from store import schema

pytestmark = pytest.mark.skipif(
    not _hsds_schema.available(),
    reason="the pinned HSDS 3.0 schema (geo/registry.txt) is neither in this data mirror nor downloadable here",
)


@pytest.fixture
def sample(engine, tmp_path):
    return enrich(engine, tmp_path)


def records(engine) -> dict[str, dict[str, object]]:
    """Every agency (retired too) field by field, points as exported, and every organization, by id."""
    frame = directory.directory_frame(engine, include_retired=True).drop(columns="geometry")
    frame[["lon", "lat"]] = frame[["lon", "lat"]].round(6)
    agencies = {r["id"]: {k: (None if _missing(v) else v) for k, v in r.items()} for r in frame.to_dict("records")}
    with session_scope(engine) as session:
        organizations = {
            o.id: {"name": o.name, "website": o.website, "email": o.email, "description": o.description}
            for o in session.scalars(select(Organization))
        }
    return {
        **{f"agency {k}": v for k, v in agencies.items()},
        **{f"organization {k}": v for k, v in organizations.items()},
    }


def _missing(value: object) -> bool:
    return not isinstance(value, list) and is_missing(value)


def differences(before: dict, after: dict) -> list[tuple[str, str, object, object]]:
    """Return (record, field, before, after) for every field that differs, and records missing on either side."""
    found = [(key, "(record)", key in before, key in after) for key in set(before) ^ set(after)]
    for key in set(before) & set(after):
        for field in before[key]:
            if before[key][field] != after[key].get(field):
                found.append((key, field, before[key][field], after[key].get(field)))
    return sorted(found, key=str)


def fresh(tmp_path, name: str = "second"):
    engine = db.get_engine(f"sqlite:///{tmp_path / f'{name}.sqlite'}")
    schema.init_db(engine)
    return engine


def test_the_sample_exports_as_valid_hsds_and_imports_back_to_the_same_records(sample, tmp_path):
    path = tmp_path / "directory.hsds.json"
    directory_io.export_agencies(sample, path, public=False, include_retired=True)
    document = json.loads(path.read_text(encoding="utf-8"))
    official = json.loads(sources.fetch(_hsds_schema.SCHEMA_FILE).read_text(encoding="utf-8"))
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    for table, items in document.items():  # every object against the schema of its table, formats checked
        validator = jsonschema.Draft202012Validator(official["properties"][table]["items"], format_checker=checker)
        for item in items:
            validator.validate(item)
    closed = jsonschema.Draft202012Validator(_hsds_schema.schema(strict=True), format_checker=checker)
    closed.validate(document)  # with additionalProperties false everywhere: no member HSDS does not define
    with session_scope(sample) as session:
        agencies = session.scalar(select(func.count()).select_from(ServiceLocation))
    assert len(document["service_at_location"]) == len(document["service"]) == len(document["location"]) == agencies
    second = fresh(tmp_path)
    counts = directory_io.import_agencies(second, path)
    assert (counts["added"], counts["updated"]) == (agencies, 0)
    assert differences(records(sample), records(second)) == []
    again = tmp_path / "again.hsds.json"
    directory_io.export_agencies(second, again, public=False, include_retired=True)
    assert again.read_text(encoding="utf-8") == path.read_text(encoding="utf-8")  # same ids, same order
    second.dispose()


def test_missions_abroad_hotlines_hours_and_phones_keep_their_hsds_shape(sample):
    document = json.loads(directory_io.export_agencies(sample, fmt="hsds", public=False, include_retired=True))
    locations = {item["external_identifier"]: item for item in document["location"]}
    hotline, mission = locations["hotline-polri-110"], locations["kri-tawau"]
    assert hotline["location_type"] == "virtual" and "latitude" not in hotline
    assert mission["location_type"] == "physical" and "latitude" not in mission
    [address] = [a for a in document["address"] if a["location_id"] == mission["id"]]
    assert (address["city"], address["country"]) == ("Tawau", "MY")
    link = hsds.uuid_for("service_at_location", SHELTER)
    schedules = [s for s in document["schedule"] if s["service_at_location_id"] == link]
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in schedules] == [
        ("MO,TU,WE,TH", "08:00", "16:00"),
        ("FR", "08:00", "11:00"),
    ]
    phones = [
        p["number"]
        for p in document["phone"]
        if p["service_at_location_id"] == hsds.uuid_for("service_at_location", "lpsk-ntt")
    ]
    assert phones == ["+62 380 1", "+62 380 2"]
    retired = next(s for s in document["service"] if s["id"] == hsds.uuid_for("service", RETIRED))
    assert retired["status"] == "defunct"
    terms = {t["id"]: t["code"] for t in document["taxonomy_term"]}
    service = hsds.uuid_for("service", "lpsk-ntt")
    codes = {terms[a["taxonomy_term_id"]] for a in document["attribute"] if a["link_id"] == service}
    frame = directory.directory_frame(sample).set_index("id")
    assert codes == set(frame.loc["lpsk-ntt", "capabilities"])


def test_a_public_hsds_export_hides_the_safe_house_and_cannot_be_imported(sample, tmp_path):
    path = tmp_path / "public.hsds.json"
    directory_io.export_agencies(sample, path, fmt="hsds", public=True)
    text = path.read_text(encoding="utf-8")
    assert str(SECRET[0]) not in text and str(SECRET[1]) not in text and "Rahasia" not in text
    assert RETIRED not in text  # retired: editors only
    document = json.loads(text)
    shelter = next(item for item in document["location"] if item["external_identifier"] == SHELTER)
    assert (shelter["longitude"], shelter["latitude"]) != pytest.approx(SECRET, abs=1e-3)
    second = fresh(tmp_path)
    with pytest.raises(ImportRejectedError) as caught:
        directory_io.import_agencies(second, path)
    assert {(e.field, e.value) for e in caught.value.errors} == {("redacted", "true")}
    assert "--full" in caught.value.errors[0].message
    with session_scope(second) as session:
        assert session.scalar(select(func.count()).select_from(ServiceLocation)) == 0


def test_an_hsds_file_with_a_bad_row_is_rejected_whole_naming_field_and_value(sample, tmp_path):
    document = json.loads(directory_io.export_agencies(sample, fmt="hsds", public=False, include_retired=True))
    links = document["service_at_location"]
    fields = {t["id"]: t["code"] for t in document["taxonomy_term"]}
    area = next(
        a
        for a in document["attribute"]
        if a["link_id"] == links[1]["id"] and fields[a["taxonomy_term_id"]] == "area_code"
    )
    area["value"] = "99.99"
    path = tmp_path / "bad.hsds.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    second = fresh(tmp_path)
    with pytest.raises(ImportRejectedError) as caught:
        directory_io.import_agencies(second, path)
    assert [(e.row, e.field, e.value) for e in caught.value.errors] == [(2, "area_code", "99.99")]
    with session_scope(second) as session:
        assert session.scalar(select(func.count()).select_from(ServiceLocation)) == 0


def test_a_file_that_breaks_the_hsds_schema_or_its_links_is_rejected_before_its_values(sample, tmp_path):
    document = json.loads(directory_io.export_agencies(sample, fmt="hsds", public=False, include_retired=True))
    document["service"][2]["status"] = "open"
    del document["organization"][0]["description"]
    path = tmp_path / "broken.hsds.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ImportRejectedError) as caught:
        directory_io.import_agencies(fresh(tmp_path), path)
    assert {(e.row, e.field) for e in caught.value.errors} == {(1, "organization.description"), (3, "service.status")}
    document = json.loads(directory_io.export_agencies(sample, fmt="hsds", public=False, include_retired=True))
    document["service_at_location"][4]["service_id"] = hsds.uuid_for("service", "nowhere")
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ImportRejectedError) as caught:
        directory_io.import_agencies(fresh(tmp_path, "third"), path)
    assert [(e.row, e.field) for e in caught.value.errors] == [(5, "service_id")]


def test_hsds_is_named_or_told_by_the_file_name_and_refused_for_agreements(sample, tmp_path):
    assert directory_io.file_format(tmp_path / "x.HSDS.json") == "hsds"
    assert directory_io.file_format(tmp_path / "x.json") == "geojson"
    with pytest.raises(InputError, match="agreements"):
        directory_io.export_agreements(sample, tmp_path / "a.hsds.json")
    (tmp_path / "not.hsds.json").write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        directory_io.import_agencies(sample, tmp_path / "not.hsds.json")


def test_members_hsds_does_not_define_are_allowed_on_import_and_never_read(sample, tmp_path):
    document = json.loads(directory_io.export_agencies(sample, fmt="hsds", public=False, include_retired=True))
    document["x_publisher_notes"] = ["not an HSDS table", 3]
    document["service"][0]["x_rating"] = 5
    path = tmp_path / "extended.hsds.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    second = fresh(tmp_path)
    assert directory_io.import_agencies(second, path)["added"] == len(document["service_at_location"])
    assert differences(records(sample), records(second)) == []
