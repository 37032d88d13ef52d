"""Two learning groups that saw the same thing differently are set side by side in the answer
(issue 27), with the real model: one group's "Vad gick bra?" against another's "Vad gick mindre
bra?", never blended into one voice and never a sentence shown twice."""

from __future__ import annotations

import pytest

from kb.access import Viewer
from kb.features.search.payload import search_payload
from kb.features.search.queries import search
from tests.helpers import log_in, make_app

pytestmark = pytest.mark.model

ANNA = Viewer(person_id="anna.lind", unit="Björkskolan")

REFLECTION = """
## Vad gjorde vi?
{did}

## Vad gick bra?
{well}

## Vad gick mindre bra?
{less}

## Vad tar vi med oss?
{keep}
"""


def reflection(bundle, name, group, grades, day, did, well, less, keep):
    bundle.doc(
        f"reflections/{name}.md",
        REFLECTION.format(did=did, well=well, less=less, keep=keep),
        title=f"{group}: exit tickets",
        authors=["anna.lind"],
        date=day,
        group=group,
        step="följa upp",
        grades=[grades],
        tags=["exit tickets", "formativ bedömning"],
        visibility="all",
    )


@pytest.fixture(scope="module")
def two_groups(tmp_path_factory):
    from kb.config import load_settings
    from kb.service import KnowledgeBase
    from tests.conftest import BundleWriter

    root = tmp_path_factory.mktemp("contrasts")
    bundle = BundleWriter(root / "bundle")
    reflection(
        bundle,
        "2026-03-04-mellanstadiet",
        "Bedömningsgruppen 4–6",
        "4-6",
        "2026-03-04",
        "Vi prövade exit tickets i alla klasser i fyra veckor.",
        "Exit tickets gav oss en snabb bild av vad eleverna hade förstått av lektionen.",
        "Några elever glömde att lämna in sina lappar.",
        "Vi fortsätter med exit tickets varje vecka.",
    )
    reflection(
        bundle,
        "2026-03-11-hogstadiet",
        "Bedömningsgruppen 7–9",
        "7-9",
        "2026-03-11",
        "Vi prövade exit tickets i matematik och svenska i fyra veckor.",
        "Eleverna tyckte om att skriva anonymt.",
        "Exit tickets gav oss ingen tydlig bild av vad eleverna hade förstått, de flesta skrev bara ja.",
        "Vi byter exit tickets mot en fråga med flervalsalternativ.",
    )
    bundle.doc("material/schack.md", "Schackklubben träffas på onsdagar.", title="Schack")
    kb = KnowledgeBase(load_settings(root / "instance", answers=True))
    kb.documents.ingest(bundle.root)
    yield kb
    kb.close()


def answer(kb, question):
    return search_payload(search(kb, ANNA, question))["answer"]


def test_two_groups_that_saw_exit_tickets_differently_are_set_side_by_side(two_groups):
    found = answer(two_groups, "vad har vi lärt oss om exit tickets")
    assert found is not None
    pairs = found["contrasts"]
    assert len(pairs) == 1
    sides = {side["label"].split(",")[0]: side for side in pairs[0]}
    assert set(sides) == {"Bedömningsgruppen 4–6", "Bedömningsgruppen 7–9"}
    assert sides["Bedömningsgruppen 4–6"]["section"] == "Vad gick bra?"
    assert sides["Bedömningsgruppen 7–9"]["section"] == "Vad gick mindre bra?"
    assert "ingen tydlig bild" in sides["Bedömningsgruppen 7–9"]["text"]


def test_the_page_shows_each_side_once_under_its_group(two_groups):
    client = make_app(two_groups).test_client()
    log_in(client, two_groups, "anna.lind")
    page = client.get("/?q=vad+har+vi+l%C3%A4rt+oss+om+exit+tickets").get_data(as_text=True)
    box = page[page.index('<section class="answer"') :]
    box = box[: box.index("</section>")]
    assert "Grupperna såg olika på det här" in box
    assert box.count("de flesta skrev bara ja") == 1
    assert box.count("en snabb bild av vad eleverna hade förstått") == 1


def test_one_groups_own_well_and_less_well_are_no_contrast(two_groups):
    found = answer(two_groups, "vad har vi lärt oss om exit tickets")
    for left, right in found["contrasts"]:
        assert left["source"] != right["source"]
