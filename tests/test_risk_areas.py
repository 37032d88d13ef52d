"""Knowledge areas at a stated granularity: merged, grouped, held only by those who show them."""

from __future__ import annotations

import pytest

from kb.access import Viewer
from kb.expertise.risk import TopicDoc, find_topics
from tests.conftest import DEMO_BUNDLE
from tests.helpers import open_kb


def doc(source, *authors, labels):
    return TopicDoc(source, tuple(authors), tuple(labels), ())


def areas_with_documents(topics):
    return [t for t in topics if t.sources]


def test_near_identical_labels_on_the_same_documents_are_one_area():
    docs = [
        doc("a", "eva", labels=("teckenspråk", "hörselskada")),
        doc("b", "eva", labels=("svenskt teckenspråk", "teckenspråk")),
        doc("c", "eva", labels=("svenskt teckenspråk",)),
    ]
    assert len(areas_with_documents(find_topics(docs, {}))) == 1


def test_a_narrower_label_is_grouped_under_the_broader_area():
    docs = [
        doc("a", "lena", labels=("matematik utomhus", "geometri")),
        doc("b", "lena", "oskar", labels=("matematik utomhus", "mattestig")),
        doc("c", "oskar", labels=("matematik utomhus",)),
    ]
    (area,) = areas_with_documents(find_topics(docs, {}))
    assert area.name == "matematik utomhus" and set(area.labels) >= {"geometri", "mattestig"}


def test_one_shared_word_in_a_declared_skill_does_not_make_a_holder():
    docs = [
        doc("a", "eva", labels=("teckenspråk", "anpassningar")),
        doc("b", "eva", labels=("teckenspråk", "kommunikation")),
    ]
    topics = find_topics(docs, {"petra": [("extra anpassningar", 5)]})
    area = next(t for t in topics if t.sources)
    assert area.holders == ("eva",)


def test_a_declared_skill_at_level_two_holds_nothing():
    docs = [doc("a", "lars", labels=("schack",)), doc("b", "lars", labels=("schack",))]
    topics = find_topics(docs, {"sofia": [("schack", 2)]})
    assert topics[0].holders == ("lars",)


def test_a_newcomer_holds_only_what_they_first_wrote():
    docs = [
        doc("a", "maria", "elias", labels=("kamratrespons",)),
        doc("b", "maria", labels=("kamratrespons",)),
    ]
    topics = find_topics(docs, {"elias": [("kamratrespons", 4)]}, newcomers=frozenset({"elias"}))
    assert topics[0].holders == ("maria",)


def test_someone_who_has_left_holds_nothing():
    docs = [doc("a", "dragan", labels=("schack",)), doc("b", "dragan", labels=("schack",))]
    topics = find_topics(docs, {}, gone=frozenset({"dragan"}))
    assert topics[0].holders == () and topics[0].truck_factor == 0


@pytest.fixture(scope="module")
def demo_docs(tmp_path_factory):
    kb = open_kb(tmp_path_factory.mktemp("areas"), DEMO_BUNDLE, people=(), today="2026-11-20")
    catalog = kb.indexes.catalog()
    docs = [
        TopicDoc(d.source, d.authors, d.tags + ((d.group,) if d.group else ()), d.subjects)
        for d in (catalog.docs[i] for i in catalog.visible(Viewer.system()))
    ]
    kb.close()
    return docs


def test_one_more_document_changes_the_areas_only_as_much_as_it_adds(demo_docs):
    for i, added in enumerate(demo_docs):
        before = areas_with_documents(find_topics(demo_docs[:i] + demo_docs[i + 1 :], {}))
        after = areas_with_documents(find_topics(demo_docs, {}))
        assert abs(len(after) - len(before)) <= 1, added.source
        for area in before:
            assert any(set(area.sources) <= set(a.sources) for a in after), (added.source, area)
