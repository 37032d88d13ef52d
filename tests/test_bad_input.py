"""Every bad input is named, and nothing else is lost because of it."""

from __future__ import annotations

import io
import os
import threading

import pytest

from kb import accounts
from kb.config import ConfigError, load_settings
from tests.conftest import SAMPLE_BUNDLE
from tests.helpers import csrf_token, log_in, make_app, open_kb


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    kb = open_kb(tmp_path_factory.mktemp("bad-input"), SAMPLE_BUNDLE)
    yield kb
    kb.close()


def write_config(tmp_path, text: str):
    (tmp_path / "kb.toml").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ('embedder = "fake"\nweight_keyword =\n', ("kb.toml", "not valid TOML", "line 2")),
        ('weight_keyword = "abc"\n', ("kb.toml", "weight_keyword", "a number", "'abc'")),
        ("secret_key = 12\n", ("kb.toml", "secret_key", "a text", "12")),
        ('fusion_method = "best"\n', ("kb.toml", "fusion_method", "convex")),
        ("candidates = 0\n", ("kb.toml", "candidates", "at least 1")),
        ('today = "2011-02-30"\n', ("kb.toml", "today", "a date")),
    ],
)
def test_a_bad_kb_toml_names_the_file_the_key_and_what_was_expected(tmp_path, config, words):
    with pytest.raises(ConfigError) as caught:
        load_settings(write_config(tmp_path, config))
    assert all(word in str(caught.value) for word in words), str(caught.value)


def test_a_good_kb_toml_is_read_with_its_numbers_as_numbers(tmp_path):
    settings = load_settings(write_config(tmp_path, "weight_keyword = 1\nhsts = true\n"))
    assert settings.weight_keyword == 1.0 and settings.hsts is True


def test_the_command_line_reports_a_bad_kb_toml_in_one_line(cli, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    write_config(instance, 'weight_dense = "x"\n')
    result = cli("search", "högläsning", instance_dir=instance)
    assert result.exit_code != 0
    assert "weight_dense must be a number" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("target", ["/\r\nSet-Cookie: x=1", "/%0d%0a", "/ok\nLocation: //evil"])
def test_cr_lf_in_next_is_refused_on_log_in(base, target):
    client = make_app(base).test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login",
        data={
            "handle": "karin.sjoberg",
            "password": "rätt-lösenord-123",
            "next": target.replace("%0d%0a", "\r\n"),
            "csrf_token": csrf_token(page),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_cr_lf_in_next_is_refused_on_the_language_switch(base):
    client = make_app(base).test_client()
    log_in(client, base, "karin.sjoberg", set_password=False)
    page = client.get("/").get_data(as_text=True)
    token = csrf_token(page)
    response = client.post(
        "/language",
        data={"lang-lang": "en", "lang-next": "/\r\nX: y", "lang-csrf_token": token},
    )
    assert response.status_code in (302, 400)
    assert "\n" not in response.headers.get("Location", "")


def test_an_impossible_date_in_people_yaml_is_that_persons_problem_only(make_kb, bundle):
    bundle.people(
        [
            {"id": "anna.lind", "name": "Anna Lind", "started": "2011-02-30"},
            {"id": "bo.ek", "name": "Bo Ek", "started": "2012-08-01"},
        ]
    )
    (bundle.root / "people.yaml").write_text(
        (bundle.root / "people.yaml").read_text().replace("'2011-02-30'", "2011-02-30")
    )
    report = make_kb().documents.ingest(bundle.root)
    assert report.people.added == 2
    lines = "\n".join(report.lines())
    assert "anna.lind" in lines and "'started' is not a date" in lines


def special_bundle(bundle):
    bundle.doc("material/ok.md", "Vanlig text.", title="Vanlig")
    folder = bundle.root / "material"
    os.mkfifo(folder / "pipe.md")
    (folder / "gone.md").symlink_to(folder / "nowhere.md")
    (folder / "x.md").mkdir()
    return bundle


def test_fifos_broken_links_and_folders_named_like_files_are_reported(make_kb, bundle):
    report = make_kb().documents.ingest(special_bundle(bundle).root)
    lines = "\n".join(report.lines())
    assert "material/pipe.md: not a regular file" in lines
    assert "material/gone.md: a symbolic link to nothing" in lines
    assert "material/x.md: a folder named like a file" in lines
    assert report.material.added == 1


def test_a_second_ingest_waits_for_the_first_with_a_message(make_kb, bundle):
    bundle.doc("material/ok.md", "Vanlig text.", title="Vanlig")
    kb = make_kb()
    waited = threading.Event()
    done = []
    with kb.indexes.ingest_lock():
        worker = threading.Thread(
            target=lambda: done.append(kb.documents.ingest(bundle.root, on_wait=waited.set))
        )
        worker.start()
        assert waited.wait(10)
        assert not done
    worker.join(30)
    assert done and done[0].material.added == 1


def test_the_cli_says_that_it_waits_for_another_ingest(cli, tmp_path, bundle):
    from kb.service import KnowledgeBase

    bundle.doc("material/ok.md", "Vanlig text.", title="Vanlig")
    instance = tmp_path / "cli-instance"
    other = KnowledgeBase(load_settings(instance, embedder="fake"))
    results = []
    runner = threading.Thread(
        target=lambda: results.append(cli("ingest", str(bundle.root), instance_dir=instance))
    )
    with other.indexes.ingest_lock():
        runner.start()
        runner.join(3)
        assert not results
    runner.join(60)
    other.close()
    assert results[0].exit_code == 0, results[0].output
    assert "another kb ingest is writing this instance; waiting" in results[0].output
    assert "material: 1 (1 added" in results[0].output


def test_a_common_password_is_refused(base):
    with pytest.raises(accounts.WeakPassword):
        accounts.set_password(base, "noah.berg", "1234567890")
    with pytest.raises(accounts.WeakPassword):
        accounts.set_password(base, "noah.berg", "Password123")


def test_an_uncommon_password_of_ten_characters_is_accepted(base):
    accounts.set_password(base, "noah.berg", "rätt-lösenord-123")


def shared_txt(base, data: bytes, title: str) -> str:
    client = make_app(base).test_client()
    log_in(client, base, "karin.sjoberg", set_password=False)
    page = client.get("/share").get_data(as_text=True)
    response = client.post(
        "/share",
        data={
            "title": title,
            "language": "sv",
            "visibility": "all",
            "csrf_token": csrf_token(page),
            "file": (io.BytesIO(data), "text.txt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client, response.headers["Location"].removeprefix("/doc/")


def test_a_download_names_its_charset_once(base):
    client, source = shared_txt(base, "Räksmörgås på utflykten.".encode(), "Utflykt i UTF-8")
    response = client.get(f"/download/{source}")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_a_latin_1_file_is_not_called_utf_8(base):
    client, source = shared_txt(base, "Räksmörgås på utflykten.".encode("latin-1"), "Utflykt")
    response = client.get(f"/download/{source}")
    assert response.headers["Content-Type"] == "text/plain; charset=windows-1252"
    assert response.data.decode("windows-1252") == "Räksmörgås på utflykten."
