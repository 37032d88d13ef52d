"""The risk page and *Vem kan?* tell one story: an area's holders are exactly the colleagues
*Vem kan?* lists with documented knowledge for the area's own words (docs/expertise.md)."""

from __future__ import annotations

import pytest

from kb.access import Viewer
from kb.expertise.holding import HOLDER_SCORE, is_holder
from kb.features.experts.queries import experts
from kb.features.mentors.queries import newcomers
from kb.features.risk.queries import risk
from tests.conftest import DEMO_BUNDLE, ROOT
from tests.helpers import open_kb

JUDGED_BUNDLE = ROOT / "tests" / "judged" / "bundle"
DAY = "2026-11-20"
LENA = Viewer(person_id="lena.holmberg", unit="Lindskolan")


@pytest.fixture(scope="module", params=["demo", "judged"])
def bundle(request, tmp_path_factory):
    where = DEMO_BUNDLE if request.param == "demo" else JUDGED_BUNDLE
    base = open_kb(tmp_path_factory.mktemp(request.param), where, people=(), today=DAY)
    viewer = LENA if request.param == "demo" else Viewer.system()
    yield base, viewer
    base.close()


def expected_holders(kb, viewer, area, new):
    """Whom *Vem kan?* lists at the holder strength for any of the area's own words."""
    docs = kb.indexes.catalog().by_source
    firsts = {docs[s].authors[0] for s in area.sources if docs[s].authors}
    found = set()
    for words in area.words:
        for e in experts(kb, viewer, words, limit=100):
            if is_holder(e, words) and (e.person_id not in new or e.person_id in firsts):
                found.add(e.person_id)
    return found


def test_every_areas_holders_are_whom_vem_kan_lists_for_its_own_words(bundle):
    kb, viewer = bundle
    new = set(newcomers(kb))
    areas = risk(kb, viewer)
    assert areas
    for area in areas:
        assert area.words, area.name
        assert set(area.holders) == expected_holders(kb, viewer, area, new), area.name


def test_every_holder_shows_at_least_the_holder_strength_on_vem_kan(bundle):
    kb, viewer = bundle
    for area in risk(kb, viewer):
        for person in area.holders:
            best = max(
                (
                    e.score
                    for w in area.words
                    for e in experts(kb, viewer, w, limit=100)
                    if e.person_id == person
                ),
                default=0.0,
            )
            assert best >= HOLDER_SCORE, (area.name, person)


def test_an_area_only_a_declared_skill_supports_has_no_single_holder(bundle):
    kb, viewer = bundle
    for area in risk(kb, viewer):
        if area.single:
            assert area.sources, area.name
        assert not set(area.holders) & set(area.declared_only)


def test_no_two_areas_say_the_same_words(bundle):
    from kb.expertise.risk import same_words
    from kb.expertise.terms import terms

    names = [terms(a.name) for a in risk(*bundle)]
    for i, a in enumerate(names):
        assert not any(same_words(a, b) for b in names[i + 1 :])
