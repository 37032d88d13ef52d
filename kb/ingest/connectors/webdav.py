"""A WebDAV folder as a source (Nextcloud first, any WebDAV server works).

One PROPFIND (Depth: 1) per folder; a GET per changed file, streamed and cut off at the size
limit. Every request waits its turn (requests_per_second), has a timeout, verifies TLS and
follows a redirect only on the same host.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import quote, unquote, urljoin, urlsplit

import httpx
from defusedxml import ElementTree

from kb.ingest.connectors.base import RemoteEntry, SourceError
from kb.ingest.connectors.config import SyncConfig

DAV = "{DAV:}"
OC = "{http://owncloud.org/ns}"
PROPFIND_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop>'
    "<d:resourcetype/><d:getetag/><d:getlastmodified/><d:getcontentlength/>"
    "<oc:fileid/><oc:owner-id/><oc:size/>"
    "</d:prop></d:propfind>"
)
MAX_REDIRECTS = 3
MAX_LISTING_BYTES = 20 * 1024 * 1024  # one folder's PROPFIND answer
SHARE_VISIBILITY = {"1": "unit", "3": "all"}  # a group share, a public link


class WebDAVSource:
    """A WebDAV folder: list, fetch and link by paths below the configured URL."""

    def __init__(self, config: SyncConfig, password: str, transport=None) -> None:
        self.name = config.name
        self.folder_etags = config.nextcloud
        self.config = config
        self.base = config.url.rstrip("/") + "/"
        parts = urlsplit(self.base)
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._base_path = unquote(parts.path)
        self._client = httpx.Client(
            auth=(config.user, password),
            timeout=config.timeout_seconds,
            verify=True,
            follow_redirects=False,
            headers={"User-Agent": "kb-sync"},
            transport=transport,
        )
        self._gap = 1.0 / config.requests_per_second
        self._next = 0.0
        self._lock = threading.Lock()
        self.requests: list[tuple[str, str]] = []

    def close(self) -> None:
        self._client.close()

    # ------------------------------------------------------------ requests
    def _wait_turn(self) -> None:
        with self._lock:
            now = time.monotonic()
            wait = self._next - now
            self._next = max(now, self._next) + self._gap
        if wait > 0:
            time.sleep(wait)

    def _url(self, path: str) -> str:
        return self.base + quote(path.strip("/"), safe="/")

    def _send(self, method: str, url: str, stream: bool = False, **kwargs) -> httpx.Response:
        """Send one request, following same-host redirects; raise SourceError."""
        for _hop in range(MAX_REDIRECTS + 1):
            self._wait_turn()
            self.requests.append((method, url))
            try:
                request = self._client.build_request(method, url, **kwargs)
                response = self._client.send(request, stream=stream)
            except httpx.HTTPError as exc:
                raise SourceError(f"{method} {url}: {type(exc).__name__}: {exc}") from exc
            if not response.is_redirect:
                return response
            response.close()
            target = urljoin(url, response.headers.get("location", ""))
            if urlsplit(target).netloc != urlsplit(url).netloc:
                raise SourceError(
                    f"{url} redirects to another host ({urlsplit(target).netloc}); refused",
                    transient=False,
                )
            url = target
        raise SourceError(f"{url}: more than {MAX_REDIRECTS} redirects; refused")

    @staticmethod
    def _check(response: httpx.Response, what: str) -> None:
        if response.status_code in (401, 403):
            raise SourceError(f"{what}: the server refused the user name or app password")
        if response.status_code >= 400:
            raise SourceError(f"{what}: the server answered {response.status_code}")

    # ------------------------------------------------------------ the protocol
    def list_folder(self, path: str) -> tuple[RemoteEntry, list[RemoteEntry]]:
        """PROPFIND one folder (Depth: 1): the folder itself and its children."""
        response = self._send(
            "PROPFIND",
            self._url(path) + ("/" if path else ""),
            headers={"Depth": "1", "Content-Type": "application/xml; charset=utf-8"},
            content=PROPFIND_BODY.encode(),
        )
        self._check(response, f"listing {path or '/'}")
        if len(response.content) > MAX_LISTING_BYTES:
            raise SourceError(f"listing {path or '/'}: the answer is too large", transient=False)
        entries = self.parse_multistatus(response.content)
        me = path.strip("/")
        folder = next((e for e in entries if e.path == me), None)
        if folder is None:
            raise SourceError(f"listing {path or '/'}: the folder is not in the answer")
        children = [e for e in entries if e.path != me and e.path.startswith(me)]
        return folder, children

    def parse_multistatus(self, body: bytes) -> list[RemoteEntry]:
        """Read a 207 Multi-Status answer into entries with paths below the root."""
        try:
            root = ElementTree.fromstring(body)
        except Exception as exc:  # defusedxml refuses entities; a broken answer is transient
            raise SourceError(f"the server's listing does not parse ({exc})") from exc
        out = []
        for response in root.iter(f"{DAV}response"):
            href = unquote(urlsplit(response.findtext(f"{DAV}href") or "").path)
            if not href.startswith(self._base_path.rstrip("/")):
                continue
            rel = href[len(self._base_path.rstrip("/")) :].strip("/")
            props = {}
            for propstat in response.iter(f"{DAV}propstat"):
                if " 200 " not in (propstat.findtext(f"{DAV}status") or "") + " ":
                    continue
                for prop in propstat.iter(f"{DAV}prop"):
                    for child in prop:
                        props[child.tag] = child
            kind = props.get(f"{DAV}resourcetype")
            is_folder = kind is not None and kind.find(f"{DAV}collection") is not None
            out.append(
                RemoteEntry(
                    path=rel,
                    is_folder=is_folder,
                    etag=_text(props, f"{DAV}getetag", strip_etag=True),
                    size=_int(_text(props, f"{DAV}getcontentlength") or _text(props, f"{OC}size")),
                    modified=_text(props, f"{DAV}getlastmodified"),
                    file_id=_text(props, f"{OC}fileid"),
                    owner=_text(props, f"{OC}owner-id"),
                )
            )
        return out

    def fetch(self, path: str, limit: int) -> bytes:
        """GET a file, refusing it once it is larger than `limit` bytes."""
        response = self._send("GET", self._url(path), stream=True)
        try:
            self._check(response, f"fetching {path}")
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > limit:
                    raise SourceError(f"larger than {limit // (1024 * 1024)} MB", transient=False)
            return bytes(data)
        except httpx.HTTPError as exc:
            raise SourceError(f"fetching {path}: {type(exc).__name__}: {exc}") from exc
        finally:
            response.close()

    def link(self, path: str, file_id: str | None = None) -> str:
        """Return where people open the file: Nextcloud's page for it, else its address."""
        if self.config.nextcloud and file_id:
            return f"{self._origin}/index.php/f/{quote(file_id)}"
        return self._url(path)

    def share_visibility(self, path: str) -> str | None:
        """Ask Nextcloud's share API who a file is shared with: a group -> unit, a public
        link -> all, nobody or single people -> private; None when not turned on."""
        if not (self.config.nextcloud and self.config.share_api):
            return None
        home = self._user_path(path)
        response = self._send(
            "GET",
            f"{self._origin}/ocs/v2.php/apps/files_sharing/api/v1/shares",
            params={"path": home, "reshares": "true"},
            headers={"OCS-APIRequest": "true", "Accept": "application/xml"},
        )
        self._check(response, f"asking who {path} is shared with")
        try:
            root = ElementTree.fromstring(response.content)
        except Exception as exc:
            raise SourceError(f"the share API's answer does not parse ({exc})") from exc
        types = {e.text.strip() for e in root.iter("share_type") if e.text}
        for share_type in ("3", "1"):
            if share_type in types:
                return SHARE_VISIBILITY[share_type]
        return "private"

    def _user_path(self, path: str) -> str:
        """Return a path as the share API names it: below the user's own files."""
        marker = "/remote.php/dav/files/"
        base = self._base_path
        if marker in base:
            below = base.split(marker, 1)[1].split("/", 1)
            base = "/" + (below[1] if len(below) > 1 else "")
        return "/" + "/".join(p for p in (base.strip("/"), path.strip("/")) if p)


def _text(props: dict, tag: str, strip_etag: bool = False) -> str | None:
    element = props.get(tag)
    if element is None or element.text is None or not element.text.strip():
        return None
    value = element.text.strip()
    if strip_etag:
        value = value.removeprefix("W/").strip('"')
    return value


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
