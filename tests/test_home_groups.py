"""The home page, learning group and tag pages, related documents and the people filter."""

from __future__ import annotations

from urllib.parse import quote

from tests.helpers import logged_in_client

PRIVATE = "material/privat/forsberg-npf-fortbildning-utkast.md"
PRIVATE_TITLE = "NPF-fortbildning"


def text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_a_teachers_home_page_shows_her_groups_and_own_material_with_the_search_box(client):
    page = text(client, "/")
    assert 'id="q"' in page
    assert "Ditt material och dina reflektioner" in page
    assert "/groups/" in page
    assert "Börja här" not in page


def test_a_newcomers_home_page_has_a_start_here(shared_kb):
    page = text(logged_in_client(shared_kb, "noah.berg"), "/")
    assert "Börja här" in page


def test_a_question_on_the_home_page_address_is_still_a_search(client):
    assert "träff" in text(client, "/?q=exit+tickets")


def test_the_home_api_lists_only_what_the_colleague_may_open(shared_kb, client):
    token = shared_kb.people.create_token("karin.sjoberg")
    body = client.get("/api/home", headers={"Authorization": f"Bearer {token}"}).get_json()
    sources = {d["source"] for d in body["recent"] + body["mine"]}
    assert sources and PRIVATE not in sources


def test_a_group_page_lists_its_reflections_in_the_order_of_the_cycle(shared_kb, client):
    catalog = shared_kb.indexes.catalog()
    name = next(d.group for d in catalog.docs.values() if d.group)
    answer = client.get(
        f"/api/groups/{quote(name)}",
        headers={"Authorization": f"Bearer {shared_kb.people.create_token('karin.sjoberg')}"},
    ).get_json()
    order = ["analysera", "planera", "genomföra", "följa upp"]
    steps = [s["step"] for s in answer["steps"]]
    assert steps == sorted(steps, key=order.index)
    assert answer["members"]
    assert name in text(client, f"/groups/{quote(name)}")


def test_a_group_nobody_may_see_is_not_found(client):
    assert client.get("/groups/Ingen%20s%C3%A5dan%20grupp").status_code == 404


def test_a_tag_page_never_lists_a_document_the_colleague_may_not_open(shared_kb, client):
    page = text(client, "/tags/NPF")
    assert "/doc/" in page and PRIVATE not in page
    own = text(logged_in_client(shared_kb, "elin.forsberg"), "/tags/utkast")
    assert PRIVATE in own


def test_a_tag_only_on_hidden_documents_is_not_found(client):
    assert client.get("/tags/fortbildning").status_code == 404


def test_related_documents_never_include_what_the_colleague_may_not_open(shared_kb):
    karin = shared_kb.people.viewer("karin.sjoberg")
    catalog = shared_kb.indexes.catalog()
    related = [
        r["source"]
        for d in catalog.visible(karin)
        for r in shared_kb.documents.related(karin, catalog.docs[d].source)
    ]
    assert related and PRIVATE not in related
    assert shared_kb.documents.related(karin, PRIVATE) == []


def test_the_document_page_links_back_to_the_results(client):
    page = text(client, "/doc/reflections/2025-03-12-lasframjande-natverket.md?q=bokprat")
    assert "Tillbaka till resultaten" in page and "/?q=bokprat" in page


def test_the_people_page_filters_by_a_word(client):
    page = text(client, "/people?q=bibliotek")
    assert "matchar" in page
    assert page.count('class="cards"') >= 1
    assert "Karin Sjöberg" not in page.split("<main", 1)[1].split("</form>", 1)[1]


def test_learning_groups_on_a_profile_link_to_the_group_page(client):
    assert "/groups/" in text(client, "/people/karin.sjoberg")


def test_a_private_reflection_of_a_group_is_not_on_its_page_for_others(tmp_path):
    from datetime import date

    from kb.features.reflect.queries import write_reflection
    from tests.conftest import SAMPLE_BUNDLE
    from tests.helpers import open_kb

    base = open_kb(tmp_path / "groups", SAMPLE_BUNDLE)
    name = next(d.group for d in base.indexes.catalog().docs.values() if d.group)
    source = write_reflection(
        base,
        base.people.viewer("elin.forsberg"),
        group=name,
        when=date(2026, 10, 1),
        step="planera",
        participants=[],
        title="Hemlig planering",
        tags="",
        visibility="private",
        did="Bara för mig.",
    )
    page = text(logged_in_client(base, "karin.sjoberg"), f"/groups/{quote(name)}")
    assert source not in page and "Hemlig planering" not in page
    assert "Hemlig planering" in text(
        logged_in_client(base, "elin.forsberg"), f"/groups/{quote(name)}"
    )
    base.close()


def test_skills_are_edited_as_rows_with_a_level_from_1_to_5(client):
    page = text(client, "/people/karin.sjoberg/edit")
    assert page.count('name="skill_name"') >= 4
    assert '<option value="5"' in page and 'name="skill_level"' in page
