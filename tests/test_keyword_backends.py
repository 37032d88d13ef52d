"""The keyword leg on either engine: kb's Swedish analysis, the permission filter, repair, switching."""

from __future__ import annotations

import json
import shutil

import pytest

from kb.access import Opened, Viewer
from kb.config import load_settings
from kb.search.doctor import _keyword_line
from kb.search.indexes.backends import BACKEND_FILE, BACKENDS, make_keyword_index
from kb.search.indexes.keywords import KeywordDoc
from kb.search.indexes.repair import open_keyword
from kb.search.indexes.tantivy_keyword import TantivyIndex
from kb.search.query.hybrid import SearchRequest
from tests.test_crash import unnamed_files
from tests.test_self_repair import damage


@pytest.fixture(params=BACKENDS)
def index(request, tmp_path):
    """An empty keyword index of each engine."""
    ix = make_keyword_index(tmp_path / "index", request.param)
    ix.open()
    yield ix
    ix.close()


def found(kb, text: str) -> list[str]:
    request = SearchRequest(text=text, viewer=Viewer.system(), method="keyword")
    return [h.source for h in kb.finder.search(request).hits]


def test_a_compound_with_a_linking_s_is_found_by_its_first_part(index):
    index.apply([KeywordDoc(1, 1, "Bedömningsmatris i svenska", "", "Matrisen för åk 7.")], [])
    assert [h.doc_id for h in index.search("bedömning", None, 10)] == [1]
    assert [h.doc_id for h in index.search("matris", None, 10)] == [1]


def test_a_title_word_ranks_above_the_same_word_in_a_body(index):
    index.apply(
        [
            KeywordDoc(1, 1, "Rastvärdar", "", "Schema för rasterna och schackklubben."),
            KeywordDoc(2, 1, "Schackklubben", "", "Schema för rasterna och rastvärdarna."),
        ],
        [],
    )
    assert [h.doc_id for h in index.search("schackklubben", None, 10)] == [2, 1]


def test_a_quoted_phrase_finds_the_words_in_that_order_first(index):
    index.apply(
        [
            KeywordDoc(1, 1, "Ett", "", "läsning högt i klassen, inte tyst"),
            KeywordDoc(2, 1, "Två", "", "tyst läsning i klassen"),
        ],
        [],
    )
    assert index.search('"tyst läsning"', None, 10)[0].doc_id == 2


def test_a_misspelled_word_is_corrected_from_the_engines_own_words(index):
    from kb.search.query import spelling

    index.apply([KeywordDoc(1, 1, "Bedömningsmatris", "", "Källkritik i åk 7.")], [])
    fixed = spelling.correct("bedömingsmatris kallkritik", index, {1})
    assert fixed.text == "bedömningsmatris källkritik"
    assert spelling.correct("bedömingsmatris", index, set()).changed is False


def hidden_world(index) -> None:
    """Ten hidden documents that say 'zebrametoden' often, one allowed that says it once."""
    hidden = [
        KeywordDoc(d, 1, "Zebrametoden", "zebrametoden", "Zebrametoden, zebrametoden. Hemligord.")
        for d in range(1, 11)
    ]
    index.apply([*hidden, KeywordDoc(99, 1, "Annat", "", "Vi prövade zebrametoden en gång.")], [])


def test_a_document_the_viewer_may_not_open_never_comes_back_nor_takes_a_place(index):
    hidden_world(index)
    assert [h.doc_id for h in index.search("zebrametoden", {99}, 1)] == [99]
    assert [h.doc_id for h in index.search("zebrametoden", {99}, 20)] == [99]
    assert index.search("zebrametoden", set(), 20) == []
    assert len(index.search("zebrametoden", None, 20)) == 11


def test_words_only_hidden_documents_hold_are_unknown_to_the_viewer(index):
    hidden_world(index)
    mine = index.allowed_mask({99})
    assert index.word_frequency("hemligord", mine) == 0
    assert index.word_frequency("hemligord", index.allowed_mask(None)) == 10
    assert index.near_words("hemligrd", 1, mine) == {}
    assert index.near_words("hemligrd", 1, index.allowed_mask(None)) == {"hemligord": 10}
    assert not index.knows_any("hemligord", {99})
    assert set(index.coverage("hemligord zebrametoden", {99})) <= {99}


def reader_world(index) -> None:
    """Anna's unit shares one plan, Per keeps one private, one is for everyone."""
    index.apply(
        [
            KeywordDoc(1, 1, "Läsplan", "", "Läsplanen för enheten.", ("unit:norr", "person:anna")),
            KeywordDoc(2, 1, "Utkast", "", "Läsplanen i utkast. Hemligord.", ("person:per",)),
            KeywordDoc(3, 1, "Alla", "", "Läsplanen för alla.", ("all",)),
        ],
        [],
    )


def opened_by_sara(revisions: dict[int, int], ids: set[int]) -> Opened:
    """Sara of unit norr: her reader keys, the documents she may open now and their revisions."""
    return Opened(ids, frozenset({"all", "person:sara", "unit:norr"}), revisions)


def test_a_colleagues_documents_are_found_by_her_reader_keys(index):
    reader_world(index)
    sara = opened_by_sara({1: 1, 2: 1, 3: 1}, {1, 3})
    assert sorted(h.doc_id for h in index.search("läsplanen", sara, 10)) == [1, 3]
    assert index.word_frequency("hemligord", index.allowed_mask(sara)) == 0
    assert not index.knows_any("hemligord", sara)


def test_a_document_made_private_is_hidden_before_the_index_has_caught_up(index):
    reader_world(index)
    # The database says: document 3 is now Per's alone (revision 2); the index still says all.
    sara = opened_by_sara({1: 1, 2: 1, 3: 2}, {1})
    assert [h.doc_id for h in index.search("läsplanen", sara, 10)] == [1]
    assert index.word_frequency("alla", index.allowed_mask(sara)) == 0


def test_a_document_just_shared_is_found_before_the_index_has_caught_up(index):
    reader_world(index)
    # The database says: Per shared document 2 with everyone (revision 2); the index says Per's.
    sara = opened_by_sara({1: 1, 2: 2, 3: 1}, {1, 2, 3})
    assert sorted(h.doc_id for h in index.search("läsplanen", sara, 10)) == [1, 2, 3]
    assert index.knows_any("hemligord", sara)


def test_a_deleted_document_the_index_still_holds_is_never_counted(index):
    reader_world(index)
    sara = opened_by_sara({1: 1, 2: 1}, {1})
    assert [h.doc_id for h in index.search("läsplanen", sara, 10)] == [1]


def test_the_coverage_weighs_each_word_by_its_rarity_on_both_engines(tmp_path):
    docs = [
        KeywordDoc(1, 1, "Pannkakor", "", "Pannkakor i skolan."),
        KeywordDoc(2, 1, "Skolan", "", "Om skolan."),
        KeywordDoc(3, 1, "Skolan igen", "", "Mer om skolan."),
    ]
    shares = []
    for backend in BACKENDS:
        ix = make_keyword_index(tmp_path / backend, backend)
        ix.open()
        ix.apply(docs, [])
        shares.append(ix.coverage("pannkakor i skolan", None))
        ix.close()
    whoosh, tantivy = shares
    assert set(whoosh) == set(tantivy) == {1, 2, 3}
    assert tantivy[1] == pytest.approx(1.0) and tantivy[2] < 0.5
    assert {d: round(v, 6) for d, v in whoosh.items()} == {
        d: round(v, 6) for d, v in tantivy.items()
    }


def test_a_long_questions_coverage_among_the_candidates_is_the_same_on_both_engines(tmp_path):
    # Thirty words: more than one tantivy search tells apart (tantivy_query.TERMS_PER_SEARCH).
    words = [f"ord{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(30)]
    docs = [
        KeywordDoc(d, 1, f"Text {d}", "", " ".join(words[(d * 7) % 30 :][: d % 9 + 1]))
        for d in range(1, 60)
    ]
    among = set(range(1, 60, 2))
    shares = []
    for backend in BACKENDS:
        ix = make_keyword_index(tmp_path / backend, backend)
        ix.open()
        ix.apply(docs, [])
        covered = ix.coverage(" ".join(words), None, among=among)
        shares.append({d: round(covered.get(d, 0.0), 6) for d in among})
        ix.close()
    whoosh, tantivy = shares
    assert whoosh == tantivy
    assert len(set(whoosh.values())) > 3


@pytest.mark.parametrize("how", ["random bytes", "truncated", "emptied", "deleted"])
@pytest.mark.parametrize("pattern", ["meta.json", "*.store", "*.term", "*.idx", "*.fast"])
def test_a_damaged_tantivy_index_is_set_aside_and_rebuilt_from_the_database(
    make_kb, bundle, pattern, how
):
    bundle.doc("material/schack.md", "Schackklubben på rasterna.", title="Schack")
    kb = make_kb(keyword_backend="tantivy")
    kb.documents.ingest(bundle.root)
    folder = kb.indexes.keyword.path
    kb.close()
    [path] = folder.glob(pattern)
    damage(path, how)
    again = make_kb(keyword_backend="tantivy")
    if (pattern, how) == ("meta.json", "deleted"):  # no index there: a fresh one, like Whoosh's
        assert open_keyword(again.indexes.keyword) is True
    else:
        assert open_keyword(again.indexes.keyword) is False
        assert folder.with_name("tantivy.damaged").is_dir()  # set aside for a look
    again.indexes.sync_indexes()
    assert found(again, "schackklubben") == ["material/schack.md"]


def test_a_tantivy_commit_killed_before_its_meta_json_does_not_stop_the_next_one(tmp_path):
    folder = tmp_path / "tantivy"
    index = TantivyIndex(folder)
    index.open()
    index.apply(
        [KeywordDoc(1, 1, "Schack", "", "Schack."), KeywordDoc(2, 1, "Bok", "", "Bok.")], []
    )
    index.close()
    # The killed commit: run on a copy, then its files (the deletes file and the list
    # naming it) are what it left here; meta.json, written last, never was.
    shutil.copytree(folder, tmp_path / "killed")
    killed = TantivyIndex(tmp_path / "killed")
    killed.apply([], [1])
    for left in [*(tmp_path / "killed").glob("*.del"), tmp_path / "killed" / ".managed.json"]:
        shutil.copy(left, folder / left.name)
    again = TantivyIndex(folder)
    again.apply([], [1])  # the same commit, writing a deletes file of the same name
    assert again.revisions() == {2: 1}
    assert unnamed_files(folder) == set()


def test_tantivy_writers_of_two_processes_in_turn_leave_no_file_behind(tmp_path):
    server, ingest = TantivyIndex(tmp_path / "tantivy"), TantivyIndex(tmp_path / "tantivy")
    server.open()
    ingest.open()  # both open before either writes, as a server and a `kb ingest` are
    server.apply([KeywordDoc(1, 1, "Schack", "", "Schackklubben.")], [])
    ingest.apply([KeywordDoc(2, 1, "Boksamtal", "", "Boksamtal i åk 5.")], [])
    ingest.apply([], [1])  # the server's segment is gone: its files go with it
    assert server.revisions() == ingest.revisions() == {2: 1}
    assert unnamed_files(tmp_path / "tantivy") == set()


def test_switching_the_engine_rebuilds_the_keyword_index_from_the_database(make_kb, bundle):
    bundle.doc("material/schack.md", "Schackklubben på rasterna.", title="Schack")
    first = make_kb(keyword_backend="whoosh")
    first.documents.ingest(bundle.root)
    first.close()
    index_path = first.settings.index_path
    assert (index_path / "whoosh").is_dir()
    switched = make_kb(keyword_backend="tantivy")
    switched.indexes.sync_indexes()
    assert found(switched, "schackklubben") == ["material/schack.md"]
    assert not (index_path / "whoosh").exists()  # the other engine's index is not kept stale
    assert (index_path / BACKEND_FILE).read_text() == "tantivy"
    switched.close()
    back = make_kb(keyword_backend="whoosh")
    back.indexes.sync_indexes()
    assert found(back, "schackklubben") == ["material/schack.md"]
    assert not (index_path / "tantivy").exists()


@pytest.mark.parametrize("reopened", ["by the command line", "by a server"])
@pytest.mark.parametrize("marked", [True, False], ids=["marked", "from before the setting"])
def test_an_instance_built_on_whoosh_finds_the_same_documents_on_the_default_engine(
    make_kb, bundle, cli, monkeypatch, marked, reopened
):
    monkeypatch.delenv("KB_KEYWORD_BACKEND", raising=False)  # kb.toml says nothing either
    bundle.doc("material/schack.md", "Schackklubben på rasterna.", title="Schack")
    bundle.doc("material/boksamtal.md", "Boksamtal i årskurs fem.", title="Boksamtal")
    bundle.doc("material/matris.md", "Bedömningsmatris i svenska, åk 7.", title="Bedömning")
    questions = ("schackklubben", "boksamtal i årskurs 5", "matris", "rasterna svenska")
    old = make_kb(keyword_backend="whoosh")
    old.documents.ingest(bundle.root)
    before = {q: found(old, q) for q in questions}
    old.close()
    assert all(before.values())
    instance, index_path = old.settings.instance_path, old.settings.index_path
    if not marked:  # an instance from before keyword_backend: Whoosh wrote it, unnamed
        (index_path / BACKEND_FILE).unlink()

    def doctor() -> str:
        return json.loads(cli("doctor", "--json", instance_dir=instance).output)["keyword index"]

    assert doctor().startswith("tantivy 0.27.0")
    assert "written by whoosh until now" in doctor()
    again = make_kb()
    if reopened == "by a server":
        again.indexes.start_indexer()
        assert again.indexes.wait_indexed(60)
    else:
        again.indexes.sync_indexes()
    assert {q: found(again, q) for q in questions} == before
    assert not (index_path / "whoosh").exists()
    assert doctor().startswith("tantivy 0.27.0") and "written by" not in doctor()


def test_doctor_says_which_keyword_engine_runs(tmp_path, monkeypatch):
    monkeypatch.delenv("KB_KEYWORD_BACKEND", raising=False)  # kb.toml's word, not the run's
    (tmp_path / "kb.toml").write_text('keyword_backend = "whoosh"\n')
    assert _keyword_line(load_settings(tmp_path)).startswith("whoosh 2.7.4")
    (tmp_path / "kb.toml").write_text('keyword_backend = "tantivy"\n')
    line = _keyword_line(load_settings(tmp_path))
    assert line.startswith("tantivy 0.27.0")
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / BACKEND_FILE).write_text("whoosh")
    assert "written by whoosh until now" in _keyword_line(load_settings(tmp_path))


def test_an_unknown_engine_in_kb_toml_is_named_in_the_message(tmp_path):
    from kb.config import ConfigError

    (tmp_path / "kb.toml").write_text('keyword_backend = "lucene"\n')
    with pytest.raises(ConfigError, match="keyword_backend must be whoosh or tantivy"):
        load_settings(tmp_path)
