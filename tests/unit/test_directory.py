"""The support directory: the real data file, the validator's messages, and the filters."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace
from pathlib import Path

import pytest

from app.directory import services as directory
from app.directory.services import (
    BOROUGHS,
    NEEDS,
    DirectoryError,
    Referral,
    Service,
    by_id,
    find,
    load_cached,
    load_services,
)

CONTENT = Path(__file__).resolve().parents[2] / "content"


# --- The real file ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def services() -> tuple[Service, ...]:
    return load_services(CONTENT / "services.yaml")


def test_the_real_directory_loads_with_enough_services(services):
    assert len(services) >= 30
    assert len({s.id for s in services}) == len(services)
    assert sum(s.area == "borough" for s in services) >= 2


def test_every_need_is_met_by_at_least_one_service(services):
    for need in NEEDS:
        assert find(services, need=need), f"no service helps with {need!r}"


@pytest.mark.parametrize(
    "service_id",
    [
        "victim-support",
        "london-victim-and-witness-service",
        "citizens-advice-witness-service",
        "the-havens",
        "national-domestic-abuse-helpline",
        "samaritans",
        "childline",
        "nhs-111",
        "nhs-talking-therapies",
        "nhs-gp-registration",
        "shelter",
        "citizens-advice",
        "cica",
    ],
)
def test_the_services_the_guidance_promises_are_listed(services, service_id):
    assert by_id(services, service_id) is not None


def test_the_real_file_uses_only_known_boroughs_and_https(services):
    for service in services:
        assert set(service.boroughs) <= {*BOROUGHS, "all"}
        assert service.web.startswith("https://")
        assert all(source.startswith("https://") for source in service.sources)
        assert service.checked <= dt.date(2026, 12, 31)


def test_phone_numbers_match_the_guidance_pages(services):
    """Where a guidance page gives a service's number, the directory gives the same one."""
    assert by_id(services, "victim-support").phone == "08 08 16 89 111"
    assert by_id(services, "national-domestic-abuse-helpline").phone == "0808 2000 247"
    assert by_id(services, "the-havens").phone == "020 3299 6900"
    assert by_id(services, "samaritans").phone == "116 123"
    assert by_id(services, "childline").phone == "0800 1111"
    assert by_id(services, "nspcc-helpline").phone == "0808 800 5000"
    assert by_id(services, "crimestoppers").phone == "0800 555 111"
    assert by_id(services, "report-fraud").phone == "0300 123 2040"


# --- Validation ------------------------------------------------------------------------------

FIRST = """\
services:
  - id: first
    name: First service
    summary: Helps anyone.
    helps_with: [emotional]
    crime_types: [all]
    area: national
    boroughs: [all]
    languages: [en]
    self_refer: Call them.
    web: https://first.example.org
    referral:
      channel: navigator
    sources: [https://first.example.org/about]
    checked: 2026-11-24
"""
SECOND = """\
  - id: second
    name: Second service
    summary: Helps people in Hackney.
    helps_with: [safety, housing]
    crime_types: [domestic]
    area: borough
    boroughs: [Hackney]
    languages: [en]
    interpreters: false
    ages: {min: 16, max: null}
    self_refer: Call the council.
    phone: "020 7946 0000"
    web: https://second.example.org
    referral:
      channel: navigator
    sources: [https://second.example.org/about]
    checked: 2026-11-24
"""


def write(tmp_path: Path, second: str) -> Path:
    path = tmp_path / "services.yaml"
    path.write_text(FIRST + second, encoding="utf-8")
    return path


def line_of(text: str, fragment: str) -> int:
    """The line of the first line, in the second service, containing ``fragment``."""
    lines = text.splitlines()
    start = [i for i, line in enumerate(lines) if "- id:" in line][1]
    return next(i + 1 for i, line in enumerate(lines) if i >= start and fragment in line)


def test_the_sample_is_valid(tmp_path):
    first, second = load_services(write(tmp_path, SECOND))
    assert second.boroughs == ("Hackney",) and second.age_min == 16 and second.age_max is None
    assert second.referral == Referral("navigator") and first.interpreters is False
    assert first.checked == dt.date(2026, 11, 24) and second.phone == "020 7946 0000"


# (old text in the second service, new text, the line the error must name, words in the message)
PROBLEMS = [
    (
        "    name: Second service\n",
        "    name: Second service\n    colour: blue\n",
        "colour: blue",
        "unknown key 'colour'",
    ),
    ("    web: https://second.example.org\n", "", "- id: second", "missing web"),
    ("    checked: 2026-11-24\n", "", "- id: second", "missing checked"),
    ("[safety, housing]", "[safety, hugs]", "helps_with", "unknown need 'hugs'"),
    (
        "crime_types: [domestic]",
        "crime_types: [burglary]",
        "crime_types",
        "unknown crime type 'burglary'",
    ),
    ("crime_types: [domestic]", "crime_types: [all, fraud]", "crime_types", "either [all]"),
    ("boroughs: [Hackney]", "boroughs: [Hackny]", "boroughs", "unknown borough 'Hackny'"),
    ("area: borough", "area: regional", "area:", "unknown area 'regional'"),
    ("boroughs: [Hackney]", "boroughs: [all]", "boroughs", "must name its boroughs"),
    ("area: borough", "area: national", "boroughs", "give boroughs: [all]"),
    ("id: second", "id: first", "- id: first", "duplicate id"),
    ("web: https://second.example.org", "web: http://second.example.org", "web:", "https://"),
    (
        "sources: [https://second.example.org/about]",
        "sources: [ftp://second.example.org]",
        "sources:",
        "https://",
    ),
    ("      channel: navigator\n", "      channel: email\n", "channel: email", "needs the address"),
    (
        "      channel: navigator\n",
        "      channel: navigator\n      address: a@example.org\n",
        "address:",
        "only for channel email",
    ),
    (
        "      channel: navigator\n",
        "      channel: email\n      address: not-an-address\n",
        "address:",
        "needs the address",
    ),
    (
        "      channel: navigator\n",
        "      channel: fax\n",
        "channel: fax",
        "unknown referral channel 'fax'",
    ),
    ("{min: 16, max: null}", "{min: 20, max: 10}", "    ages:", "below min"),
    ("{min: 16, max: null}", "{min: -1, max: null}", "    ages:", "bad ages"),
    ("{min: 16, max: null}", "{minimum: 16}", "    ages:", "bad ages"),
    ("languages: [en]", "languages: [english]", "languages:", "bad language code"),
    ('phone: "020 7946 0000"', "phone: 0800 CALL NOW", "phone:", "bad phone number"),
    ("interpreters: false", "interpreters: sometimes", "interpreters:", "true or false"),
    ("checked: 2026-11-24", "checked: yesterday", "checked:", "bad checked date"),
    ("    summary: Helps people in Hackney.\n", "    summary: ''\n", "summary:", "non-empty"),
    (
        "    name: Second service\n",
        "    name: Second service\n    name: Again\n",
        "name: Again",
        "duplicate key 'name'",
    ),
]


@pytest.mark.parametrize(("old", "new", "at", "words"), PROBLEMS, ids=[p[3] for p in PROBLEMS])
def test_each_problem_names_the_line_and_the_service(tmp_path, old, new, at, words):
    assert old in SECOND
    path = write(tmp_path, SECOND.replace(old, new, 1))
    expected_id = "first" if "id: first" in new else "second"
    with pytest.raises(DirectoryError) as caught:
        load_services(path)
    message = str(caught.value)
    line = line_of(path.read_text(), at)
    assert message.startswith(f"services.yaml:{line}: service '{expected_id}': "), message
    assert words in message
    assert caught.value.line == line and caught.value.service_id == expected_id


def test_a_bad_id_is_named_as_unknown(tmp_path):
    path = write(tmp_path, SECOND.replace("id: second", "id: Second Service"))
    line = line_of(path.read_text(), "- id:")
    with pytest.raises(
        DirectoryError, match=rf"^services\.yaml:{line}: service '\?': missing or bad"
    ):
        load_services(path)


def test_invalid_yaml_and_a_wrong_shape_name_the_line(tmp_path):
    path = write(tmp_path, SECOND.replace("[Hackney]", "[Hackney"))
    with pytest.raises(DirectoryError, match=r"^services\.yaml:\d+: not valid YAML"):
        load_services(path)
    path.write_text("- just a list\n")
    with pytest.raises(DirectoryError, match=r"^services\.yaml:1: .*'services' list"):
        load_services(path)
    with pytest.raises(DirectoryError, match="cannot read"):
        load_services(tmp_path / "nowhere.yaml")


def test_an_email_referral_keeps_its_published_address(tmp_path):
    second = SECOND.replace(
        "      channel: navigator\n", "      channel: email\n      address: refer@example.org\n"
    )
    _first, loaded = load_services(write(tmp_path, second))
    assert loaded.referral == Referral("email", "refer@example.org")


def test_load_cached_reads_again_only_when_the_file_changes(tmp_path):
    path = write(tmp_path, SECOND)
    once = load_cached(path)
    assert load_cached(path) is once
    path.write_text((FIRST + SECOND).replace("Second service", "Renamed"), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    again = load_cached(path)
    assert again is not once and again[1].name == "Renamed"


def test_the_default_path_is_the_content_folder():
    assert directory.DEFAULT_SERVICES_PATH == CONTENT / "services.yaml"


# --- Filters ---------------------------------------------------------------------------------


def make(service_id: str, **fields) -> Service:
    base = Service(
        id=service_id,
        name=service_id.title(),
        summary="S.",
        helps_with=("emotional",),
        crime_types=("all",),
        area="national",
        boroughs=("all",),
        languages=("en",),
        interpreters=False,
        age_min=0,
        age_max=None,
        self_refer="Call.",
        web="https://example.org",
        referral=Referral("navigator"),
        sources=("https://example.org",),
        checked=dt.date(2026, 11, 24),
    )
    return replace(base, **fields)


SAMPLE = (
    make("zeta-national"),
    make("alpha-national", helps_with=("money", "legal")),
    make("london-wide", area="london", crime_types=("sexual",)),
    make(
        "hackney-only", area="borough", boroughs=("Hackney",), crime_types=("domestic",), age_min=16
    ),
    make(
        "two-boroughs",
        area="borough",
        boroughs=("Lambeth", "Southwark"),
        languages=("en", "ar"),
        helps_with=("safety",),
    ),
    make("interpreted", interpreters=True, age_max=18, helps_with=("children",)),
)


def ids(found: list[Service]) -> list[str]:
    return [s.id for s in found]


def test_no_filter_gives_everything_most_local_first_then_by_name():
    assert ids(find(SAMPLE)) == [
        "hackney-only",
        "two-boroughs",
        "london-wide",
        "alpha-national",
        "interpreted",
        "zeta-national",
    ]
    assert ids(find(list(reversed(SAMPLE)))) == ids(find(SAMPLE))  # deterministic


def test_need_filter():
    assert ids(find(SAMPLE, need="money")) == ["alpha-national"]
    assert ids(find(SAMPLE, need="bereavement")) == []


def test_a_crime_matches_its_own_services_and_those_for_every_crime():
    found = ids(find(SAMPLE, crime="domestic"))
    assert "hackney-only" in found and "zeta-national" in found
    assert "london-wide" not in found


def test_a_borough_gets_its_own_services_plus_london_and_national_ones():
    found = ids(find(SAMPLE, borough="Southwark"))
    assert found[0] == "two-boroughs"
    assert "hackney-only" not in found
    assert {"london-wide", "zeta-national"} <= set(found)


def test_a_language_matches_services_speaking_it_or_offering_interpreters():
    assert ids(find(SAMPLE, language="ar")) == ["two-boroughs", "interpreted"]
    assert len(find(SAMPLE, language="en")) == len(SAMPLE)


def test_age_is_within_the_limits():
    assert "hackney-only" not in ids(find(SAMPLE, age=15))
    assert "hackney-only" in ids(find(SAMPLE, age=16))
    assert "interpreted" in ids(find(SAMPLE, age=18))
    assert "interpreted" not in ids(find(SAMPLE, age=19))


def test_filters_combine():
    # "interpreted" is only for under-19s.
    found = ids(find(SAMPLE, borough="Hackney", crime="domestic", age=30))
    assert found == ["hackney-only", "alpha-national", "zeta-national"]


def test_by_id():
    assert by_id(SAMPLE, "london-wide") is SAMPLE[2]
    assert by_id(SAMPLE, "missing") is None
