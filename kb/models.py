"""The knowledge base's tables: people, documents, chunks, tokens."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base of every kb table."""


class Person(Base):
    __tablename__ = "people"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(Text, index=True)
    subjects: Mapped[list] = mapped_column(JSON, default=list)
    grades: Mapped[list] = mapped_column(JSON, default=list)
    started: Mapped[date | None] = mapped_column(Date)
    # Set when the person has left: what only they held is then at risk.
    left: Mapped[date | None] = mapped_column(Date)
    mentor: Mapped[bool] = mapped_column(Boolean, default=False)
    mentor_capacity: Mapped[int | None] = mapped_column(Integer)
    languages: Mapped[list] = mapped_column(JSON, default=list)
    bio: Mapped[str | None] = mapped_column(Text)
    # None: derived from `started`; True/False: marked by a coordinator.
    newcomer: Mapped[bool | None] = mapped_column(Boolean)
    # False for people created only because a document named them as author.
    has_profile: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(300))
    # Given by hand in kb (people.yaml, `kb user`); idp_coordinator comes from single sign-on
    # and is re-synced at every log-in. Either makes the person a coordinator.
    is_coordinator: Mapped[bool] = mapped_column(Boolean, default=False)
    idp_coordinator: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    session_version: Mapped[int] = mapped_column(Integer, default=0)
    # Hash of the person's people.yaml entry at the last ingest: an unchanged entry does not
    # overwrite what the colleague has since edited on the web.
    bundle_hash: Mapped[str | None] = mapped_column(String(64))

    skills: Mapped[list[Skill]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="Skill.position"
    )


class Skill(Base):
    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[int] = mapped_column(Integer, default=3)
    position: Mapped[int] = mapped_column(Integer, default=0)

    person: Mapped[Person] = relationship(back_populates="skills")


class Mentorship(Base):
    __tablename__ = "mentorships"
    __table_args__ = (UniqueConstraint("mentor_id", "mentee_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentor_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    mentee_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    since: Mapped[date | None] = mapped_column(Date)


class Document(Base):
    __tablename__ = "documents"
    # Ids are never given out twice (SQLite would reuse the highest after a delete): the
    # indexes and the generation fingerprint tell documents apart by id and revision.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(Text, unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)  # material | reflection
    format: Mapped[str] = mapped_column(String(10))  # md | txt | html | pdf | docx
    title: Mapped[str] = mapped_column(Text)
    date: Mapped[date | None] = mapped_column(Date)
    subjects: Mapped[list] = mapped_column(JSON, default=list)
    grades: Mapped[list] = mapped_column(JSON, default=list)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    language: Mapped[str | None] = mapped_column(Text)
    language_guessed: Mapped[bool] = mapped_column(Boolean, default=False)
    visibility: Mapped[str] = mapped_column(String(20), default="all")
    group: Mapped[str | None] = mapped_column(Text)
    step: Mapped[str | None] = mapped_column(Text)
    did: Mapped[str | None] = mapped_column(Text)
    went_well: Mapped[str | None] = mapped_column(Text)
    went_less_well: Mapped[str | None] = mapped_column(Text)
    take_away: Mapped[str | None] = mapped_column(Text)
    # The Markdown body (md documents) or None; `text` is the extracted plain text of every format.
    body: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    # Bumped on every change the search indexes must see (content, metadata, readers).
    revision: Mapped[int] = mapped_column(Integer, default=1)
    extra: Mapped[dict] = mapped_column(JSON, default=dict)
    # Who keeps it up to date (person ids); None: its authors (see kb/freshness.py).
    owners: Mapped[list | None] = mapped_column(JSON)
    # Last marked as still right by an owner, and when it should be looked at again (None:
    # the kind's interval in kb.toml after `reviewed`, else after `date` or its creation).
    reviewed: Mapped[date | None] = mapped_column(Date)
    review_by: Mapped[date | None] = mapped_column(Date)
    # "bundle" (came from kb ingest) or "web" (shared or written on the pages): pruning a bundle
    # never removes what colleagues added on the web.
    origin: Mapped[str] = mapped_column(String(10), default="bundle", server_default="bundle")
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime, server_default=func.now(), onupdate=func.now()
    )

    authors: Mapped[list[Authorship]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Authorship.position"
    )
    chunks: Mapped[list[Chunk]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Chunk.ordinal"
    )
    original: Mapped[Original | None] = relationship(
        back_populates="document", cascade="all, delete-orphan", uselist=False
    )

    @property
    def author_ids(self) -> list[str]:
        return [a.person_id for a in self.authors]


class Authorship(Base):
    __tablename__ = "authorships"
    __table_args__ = (UniqueConstraint("document_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    document: Mapped[Document] = relationship(back_populates="authors")
    person: Mapped[Person] = relationship()


class Original(Base):
    """The file as it was shared (PDF, DOCX, ...), kept for download and export."""

    __tablename__ = "originals"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    filename: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(Text)
    data: Mapped[bytes] = mapped_column(LargeBinary)

    document: Mapped[Document] = relationship(back_populates="original")


class Chunk(Base):
    __tablename__ = "chunks"
    # The vector indexes tell chunks apart by id alone: never give an id to another passage.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    ordinal: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    document: Mapped[Document] = relationship(back_populates="chunks")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class DocumentVersion(Base):
    """One state of a web document, or the mark of its deletion; named by source, so it
    outlives the document row (a delete can be undone, an earlier version restored)."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("source", "number"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(Text, index=True)
    number: Mapped[int] = mapped_column(Integer)
    # created | edited | restored | deleted | undeleted
    action: Mapped[str] = mapped_column(String(20))
    restored_from: Mapped[int | None] = mapped_column(Integer)
    # Who made the change (not a foreign key: the history outlives a person's row).
    person_id: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime)
    # The document's record as stored (None on a deletion mark); the file beside it.
    record: Mapped[dict | None] = mapped_column(JSON)
    original: Mapped[bytes | None] = mapped_column(LargeBinary)


class SearchGap(Base):
    """A question colleagues searched for and did not find (no hit, or no hit opened).

    Keyed by the question's analysed terms; who asked is never stored, only `GapAsker` tags.
    """

    __tablename__ = "search_gaps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(Text, unique=True)
    text: Mapped[str] = mapped_column(Text)
    searches: Mapped[int] = mapped_column(Integer, default=0)


class GapAsker(Base):
    """One keyed, truncated hash per asker of a gap: counts distinct askers, names nobody."""

    __tablename__ = "gap_askers"
    __table_args__ = (UniqueConstraint("gap_id", "tag"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    gap_id: Mapped[int] = mapped_column(
        ForeignKey("search_gaps.id", ondelete="CASCADE"), index=True
    )
    tag: Mapped[str] = mapped_column(String(16))


class GapWeek(Base):
    """How many searches ended in a gap in one week (its Monday)."""

    __tablename__ = "gap_weeks"
    __table_args__ = (UniqueConstraint("gap_id", "week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    gap_id: Mapped[int] = mapped_column(
        ForeignKey("search_gaps.id", ondelete="CASCADE"), index=True
    )
    week: Mapped[date] = mapped_column(Date)
    searches: Mapped[int] = mapped_column(Integer, default=0)


class PendingSearch(Base):
    """A search with hits, kept until a hit is opened (deleted) or the click window passes
    (folded into its gap and deleted): the only row with a time finer than a week."""

    __tablename__ = "pending_searches"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    tag: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime, index=True)


class MaterialRequest(Base):
    """A colleague's request for material on a question, open until material answers it."""

    __tablename__ = "material_requests"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    asked_by: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    asked_on: Mapped[date] = mapped_column(Date)
    # Person ids suggested as the one who could write it.
    experts: Mapped[list] = mapped_column(JSON, default=list)
    # The source of the material that answers it (None while open).
    answer: Mapped[str | None] = mapped_column(Text, index=True)
    answered_on: Mapped[date | None] = mapped_column(Date)


class RequestAnswer(Base):
    """Material that answers a request, beyond the first (MaterialRequest.answer): a request
    keeps every answer, and each is shown to those who may open it."""

    __tablename__ = "request_answers"
    __table_args__ = (UniqueConstraint("request_id", "source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("material_requests.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(Text, index=True)
    answered_on: Mapped[date] = mapped_column(Date)


class RequestVote(Base):
    """One colleague's vote for a request (the asker's is the first)."""

    __tablename__ = "request_votes"
    __table_args__ = (UniqueConstraint("request_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("material_requests.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)


class SyncFile(Base):
    """What kb last saw of one remote file or folder of a synced source (kb/ingest/connectors).

    The state that makes a sync incremental and resumable: a file is fetched again only when
    its ETag changed; its row and its document change in one transaction.
    """

    __tablename__ = "sync_files"
    __table_args__ = (UniqueConstraint("source_name", "path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The [[sync]] entry of kb.toml it came from.
    source_name: Mapped[str] = mapped_column(String(40), index=True)
    path: Mapped[str] = mapped_column(Text)
    is_folder: Mapped[bool] = mapped_column(Boolean, default=False)
    etag: Mapped[str | None] = mapped_column(Text)
    # The ETag of the file's sidecar NAME.EXT.yaml, when it has one.
    sidecar_etag: Mapped[str | None] = mapped_column(Text)
    # Bytes; a video in the same folder may well be over 2 GB.
    size: Mapped[int | None] = mapped_column(BigInteger)
    modified: Mapped[str | None] = mapped_column(Text)
    # Nextcloud's oc:fileid: the same file after a move.
    file_id: Mapped[str | None] = mapped_column(Text)
    # Where people open it at the source (the document page links there).
    link: Mapped[str | None] = mapped_column(Text)
    # The document it became (None when refused, see problem).
    document: Mapped[str | None] = mapped_column(Text, index=True)
    problem: Mapped[str | None] = mapped_column(Text)


class SyncRun(Base):
    """One sync of one source: when, what changed, what went wrong (the coordinators' page)."""

    __tablename__ = "sync_runs"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_name: Mapped[str] = mapped_column(String(40), index=True)
    started: Mapped[datetime] = mapped_column(DateTime)
    finished: Mapped[datetime | None] = mapped_column(DateTime)
    # running | done | failed | interrupted
    status: Mapped[str] = mapped_column(String(20))
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    problems: Mapped[list] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)


class SsoIdentity(Base):
    """One way in by single sign-on: a provider's subject, linked to one colleague."""

    __tablename__ = "sso_identities"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(500))
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    last_login: Mapped[datetime | None] = mapped_column(DateTime)


class UsedAssertion(Base):
    """A SAML assertion already used to log in: a replay of it is refused until it expires."""

    __tablename__ = "sso_used_assertions"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class DocumentsGeneration(Base):
    """The documents' generation (count, highest id, sum of revisions): one row, migration 0011."""

    __tablename__ = "documents_generation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    documents: Mapped[int] = mapped_column(BigInteger, default=0)
    highest_id: Mapped[int] = mapped_column(BigInteger, default=0)
    revisions: Mapped[int] = mapped_column(BigInteger, default=0)
