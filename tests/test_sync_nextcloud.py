"""The Nextcloud parts of kb sync: folder ETags, oc:fileid, owners and the share API.

These run against RECORDED-STYLE Nextcloud responses, said plainly: no Nextcloud runs here.
The PROPFIND and OCS answers below are written by hand in the shape Nextcloud 28 sends
(namespaces d/s/oc/nc, percent-encoded hrefs, quoted ETags, a 404 propstat for properties a
resource lacks, the OCS <ocs><meta/><data/></ocs> envelope) and are replayed by httpx's
MockTransport to kb's real WebDAV client. The plain WebDAV behaviour is specified against a
real server in tests/test_sync_webdav.py.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

import httpx
import pytest
from sqlalchemy import select

from kb.ingest.connectors.webdav import WebDAVSource
from kb.ingest.versions import version_list
from kb.models import Document

HOST = "https://moln.kommun.example"
ROOT = "/remote.php/dav/files/kb-sync/Skola"
TOML = f"""
[[sync]]
name = "nextcloud"
url = "{HOST}{ROOT}"
user = "kb-sync"
password_env = "KB_TEST_NC_PASSWORD"
nextcloud = true
share_api = true
requests_per_second = 1000
owners = {{ "per" = "per.ek" }}
"""


def propfind_answer(entries: list[dict]) -> bytes:
    """A 207 Multi-Status as Nextcloud sends it for PROPFIND Depth: 1."""
    parts = []
    for e in entries:
        href = quote(f"{ROOT}/{e['path']}".rstrip("/") + ("/" if e.get("folder") else ""))
        kind = "<d:collection/>" if e.get("folder") else ""
        found = (
            f"<d:resourcetype>{kind}</d:resourcetype>"
            f"<d:getetag>&quot;{e['etag']}&quot;</d:getetag>"
            "<d:getlastmodified>Mon, 07 Dec 2026 08:12:01 GMT</d:getlastmodified>"
            f"<oc:fileid>{e['id']}</oc:fileid><oc:owner-id>{e.get('owner', 'kb-sync')}</oc:owner-id>"
        )
        missing = "<oc:size/>" if not e.get("folder") else "<d:getcontentlength/>"
        if e.get("folder"):
            found += "<oc:size>4096</oc:size>"
        else:
            found += f"<d:getcontentlength>{len(e['data'])}</d:getcontentlength>"
        parts.append(
            f"<d:response><d:href>{href}</d:href>"
            f"<d:propstat><d:prop>{found}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>"
            f"<d:propstat><d:prop>{missing}</d:prop>"
            "<d:status>HTTP/1.1 404 Not Found</d:status></d:propstat></d:response>"
        )
    return (
        '<?xml version="1.0"?>\n<d:multistatus xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns" '
        'xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns">'
        + "".join(parts)
        + "</d:multistatus>"
    ).encode()


def ocs_shares(share_types: list[int], path: str) -> bytes:
    """The share API's answer (GET .../files_sharing/api/v1/shares?path=...)."""
    elements = "".join(
        f"<element><id>{40 + i}</id><share_type>{t}</share_type><uid_owner>anna.lind</uid_owner>"
        f"<share_with>larare-bjorkskolan</share_with><path>{path}</path>"
        "<item_type>file</item_type><permissions>1</permissions></element>"
        for i, t in enumerate(share_types)
    )
    return (
        '<?xml version="1.0"?>\n<ocs><meta><status>ok</status><statuscode>200</statuscode>'
        f"<message>OK</message></meta><data>{elements}</data></ocs>"
    ).encode()


class RecordedNextcloud:
    """Replays the recorded answers for a tree that the test changes between syncs."""

    def __init__(self) -> None:
        self.folders = {"": "root-1", "Matematik": "mat-1", "Svenska": "sv-1"}
        self.ids = {"": 10, "Matematik": 11, "Svenska": 12}
        self.files = {
            "Matematik/bråk.md": dict(
                id=101, etag="f101-1", owner="anna.lind", data=b"# Br\xc3\xa5k\n\nOm zqbrak.\n"
            ),
            "Svenska/läsa.md": dict(
                id=201, etag="f201-1", owner="per", data=b"# L\xc3\xa4sa\n\nOm zqlasa.\n"
            ),
        }
        self.shares = {"/Skola/Matematik/bråk.md": [1]}
        self.requests: list[tuple[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = unquote(request.url.path)
        self.requests.append((request.method, path))
        if request.headers.get("authorization") is None:
            return httpx.Response(401)
        if path.endswith("/files_sharing/api/v1/shares"):
            wanted = request.url.params["path"]
            return httpx.Response(200, content=ocs_shares(self.shares.get(wanted, []), wanted))
        rel = path[len(ROOT) :].strip("/")
        if request.method == "PROPFIND" and rel in self.folders:
            children = [
                dict(path=f, folder=True, etag=self.folders[f], id=self.ids[f])
                for f in self.folders
                if f and f.rsplit("/", 1)[0] == rel or (rel == "" and f and "/" not in f)
            ]
            children += [
                dict(path=p, **f) for p, f in self.files.items() if p.rsplit("/", 1)[0] == rel
            ]
            me = dict(path=rel, folder=True, etag=self.folders[rel], id=self.ids[rel])
            return httpx.Response(207, content=propfind_answer([me, *children]))
        if request.method == "GET" and rel in self.files:
            return httpx.Response(200, content=self.files[rel]["data"])
        return httpx.Response(404)

    def propfinds(self) -> list[str]:
        return [p[len(ROOT) :].strip("/") for m, p in self.requests if m == "PROPFIND"]


@pytest.fixture
def cloud(monkeypatch):
    monkeypatch.setenv("KB_TEST_NC_PASSWORD", "xxxxx-xxxxx-xxxxx-xxxxx-xxxxx")
    return RecordedNextcloud()


@pytest.fixture
def nc_kb(make_kb, tmp_path, bundle, cloud):
    folder = tmp_path / "instance"
    folder.mkdir()
    (folder / "kb.toml").write_text(TOML, encoding="utf-8")
    kb = make_kb()
    kb.documents.ingest(bundle.root)  # the colleagues anna.lind and per.ek

    def sync():
        opened = lambda config: WebDAVSource(  # noqa: E731
            config, config.password(), transport=httpx.MockTransport(cloud)
        )
        (report,) = kb.documents.sync(open_source=opened)
        return report

    kb.sync_now = sync
    return kb


def document(kb, source: str) -> Document:
    with kb.db.read() as session:
        doc = session.scalar(select(Document).where(Document.source == source))
        doc.author_ids  # noqa: B018 - loaded before the session closes
        return doc


def test_an_unchanged_folder_etag_skips_the_whole_subtree(nc_kb, cloud):
    nc_kb.sync_now()
    cloud.requests.clear()
    cloud.files["Svenska/läsa.md"].update(etag="f201-2", data=b"# L\xc3\xa4sa\n\nNytt om zqlasa.\n")
    cloud.folders.update({"": "root-2", "Svenska": "sv-2"})
    report = nc_kb.sync_now()
    assert cloud.propfinds() == ["", "Svenska"]  # Matematik (folder ETag mat-1) not listed
    assert report.counts["updated"] == 1 and report.counts["unchanged"] == 1
    cloud.requests.clear()
    nc_kb.sync_now()
    assert cloud.propfinds() == [""]  # nothing changed anywhere: one request


def test_a_move_is_followed_by_its_oc_fileid_and_keeps_the_history(nc_kb, cloud):
    nc_kb.sync_now()
    moved = cloud.files.pop("Svenska/läsa.md")
    cloud.files["Matematik/läsa-högt.md"] = dict(moved, etag="f201-9")  # a new ETag, same id
    cloud.folders.update({"": "root-2", "Svenska": "sv-2", "Matematik": "mat-2"})
    report = nc_kb.sync_now()
    assert (report.counts["moved"], report.counts["deleted"]) == (1, 0)
    with nc_kb.db.read() as session:
        source = "nextcloud/Matematik/läsa-högt.md"
        doc = session.scalar(select(Document).where(Document.source == source))
        assert [v["action"] for v in version_list(session, source, doc)] == ["moved", "created"]
        assert (
            session.scalar(select(Document).where(Document.source == "nextcloud/Svenska/läsa.md"))
            is None
        )


def test_the_share_api_and_the_owner_give_visibility_and_author(nc_kb, cloud):
    nc_kb.sync_now()
    shared = document(nc_kb, "nextcloud/Matematik/bråk.md")
    alone = document(nc_kb, "nextcloud/Svenska/läsa.md")
    assert (shared.visibility, alone.visibility) == ("unit", "private")
    assert shared.author_ids == ["anna.lind"]  # oc:owner-id, a known colleague
    assert alone.author_ids == ["per.ek"]  # through kb.toml's owners mapping


def test_a_document_links_to_its_nextcloud_page(nc_kb, cloud):
    from kb.ingest.connectors.state import source_link

    nc_kb.sync_now()
    with nc_kb.db.read() as session:
        link = source_link(session, "nextcloud/Matematik/bråk.md")
    assert link == f"{HOST}/index.php/f/101"


def test_a_redirect_to_another_host_is_refused_and_nothing_changes(nc_kb, cloud):
    nc_kb.sync_now()

    def evil(request):
        return httpx.Response(302, headers={"location": "https://elsewhere.example/steal"})

    cloud.__class__ = type("Redirecting", (RecordedNextcloud,), {"__call__": lambda s, r: evil(r)})
    report = nc_kb.sync_now()
    assert "redirects to another host (elsewhere.example); refused" in report.error
    assert document(nc_kb, "nextcloud/Matematik/bråk.md") is not None


def test_a_wrong_app_password_is_said_plainly(nc_kb, cloud):
    cloud.__class__ = type(
        "Refusing", (RecordedNextcloud,), {"__call__": lambda s, r: httpx.Response(401)}
    )
    report = nc_kb.sync_now()
    assert "refused the user name or app password" in report.error
    assert report.lines()[0].startswith("nextcloud: failed: ")


def test_a_file_over_the_size_limit_is_refused_without_being_fetched(nc_kb, cloud):
    cloud.files["Matematik/film.mp4.md"] = dict(id=301, etag="f301-1", owner="anna.lind", data=b"x")
    nc_kb.sync_now()
    cloud.requests.clear()
    cloud.files["Matematik/film.mp4.md"]["etag"] = "f301-2"
    cloud.folders.update({"": "root-2", "Matematik": "mat-2"})
    original = RecordedNextcloud.__call__

    def sized(self, request):  # the file has grown to 3 GB, as the PROPFIND answer says
        response = original(self, request)
        if request.method == "PROPFIND":
            body = response.content.replace(
                b"<d:getcontentlength>1</d:getcontentlength>",
                b"<d:getcontentlength>3221225472</d:getcontentlength>",
            )
            return httpx.Response(207, content=body)
        return response

    cloud.__class__ = type("Sized", (RecordedNextcloud,), {"__call__": sized})
    report = nc_kb.sync_now()
    assert ("GET", f"{ROOT}/Matematik/film.mp4.md") not in cloud.requests
    assert report.counts["refused"] == 1
    assert "refused: nextcloud/Matematik/film.mp4.md: larger than 20 MB" in report.lines()
