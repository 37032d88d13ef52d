"""Every size and time limit kb enforces, in one place."""

from __future__ import annotations

MAX_FILE_BYTES = 20 * 1024 * 1024  # the file itself, as uploaded or in a bundle
MAX_FORM_BYTES = MAX_FILE_BYTES + 1024 * 1024  # an upload form: the file plus the fields
MAX_TEXT_CHARS = 5_000_000  # the text read out of it (about 2,500 pages)
MAX_ZIP_ENTRIES = 2_000  # parts of a DOCX package
MAX_ZIP_DIRECTORY = 1024 * 1024  # bytes of its central directory
MAX_ZIP_UNCOMPRESSED = 50 * 1024 * 1024  # all its parts unpacked
MAX_ZIP_RATIO = 100  # how much one part may expand ...
ZIP_RATIO_FLOOR = 1024 * 1024  # ... once it is larger than this unpacked
MARKDOWN_BUDGET = 2.0  # seconds to render Markdown (every page view does)
MAX_METADATA_BYTES = 64 * 1024  # a sidecar or front matter: a handful of keys
MAX_QUERY_CHARS = 500  # a search question
SNIPPET_SCAN_CHARS = 20_000  # of a document's text searched for highlighted words per hit

# Reading a file in the sandbox (kb.ingest.sandbox).
TIMEOUT = 10.0  # seconds of wall time to read one file
MEMORY_MB = 512  # address space of the child reading it
IDLE_CHILDREN = 2  # children kept waiting for the next file
MAX_CHILDREN = 2  # files read at once: at most 2 x 512 MB; more callers wait their turn
IDLE_SECONDS = 60.0  # an idle child exits after this; the pool drops it 5 s earlier
READER_NICE = 5  # niceness of a reading child: a 10 s hostile file yields to searches
READ_BATCH = 100  # a bundle's files sent to one reading child at once (one child per core)

# Storing a bundle (kb.ingest.batches): documents written per transaction; a killed ingest
# keeps every batch it finished. They go to the keyword index this many per commit, or after
# this many seconds: each commit leaves Whoosh a segment that every search then visits, and
# merging them costs more than writing them (about 2 ms a document), so commits stay few.
STORE_BATCH = 250
INDEX_BATCH = 10_000
INDEX_BATCH_SECONDS = 60.0

# Showing a file as written (kb.ingest.formats, in the same sandbox).
MAX_PREVIEW_PAGES = 30  # PDF pages shown as images; the rest are in the download
PREVIEW_WIDTH = 900  # pixels: wide enough to read at 1280 px, sharp on a phone
PREVIEW_HEIGHT = 2400  # pixels at most, whatever size a page claims

# Bounded indexing cost per document (issue 13): a document over these is indexed by what fits.
MAX_WORD_CHARS = 40  # a longer run without spaces ("[[[[…") is split into pieces this long
MAX_CHUNK_WORDS = 180  # words per chunk (the chunker's window)
MAX_PASSAGE_TOKENS = 256  # tokens embedded per chunk, counted as words plus punctuation marks
MAX_CHUNKS_PER_DOCUMENT = 200  # chunks embedded per document; the keyword leg reads it all
INDEX_SECONDS_PER_DOCUMENT = 30.0  # embedding time per document and index; the rest waits
EMBED_BATCH_BACKGROUND = 2  # passages per embedding call, so searches never wait long
EMBED_BATCH_CHILD = 16  # ... in a child process of its own, where no search waits at the model

# Fair use of the web server's threads.
UPLOADS_IN_FLIGHT_PER_PERSON = 1  # a colleague's second upload meanwhile is told to try again
EXTRACTION_SLOTS = 2  # uploads being read at once; one more is told to try again at once

# Edits and deletes (issue 16).
UNDO_DAYS = 30  # a deleted document can be brought back this long; after it, purge may drop it

# What one document may hold, whatever path it comes by (web form, API, CLI, bundle): checked
# in one place, kb.ingest.checks, so that one colleague's document cannot slow another's page.
MAX_TITLE_CHARS = 300
MAX_LABELS = 50  # tags, subjects or grades of one document (each)
MAX_LABEL_CHARS = 100  # one tag, subject or grade
MAX_AUTHORS = 50
MAX_GROUP_CHARS = 300  # a learning group's name
MAX_TYPED_TEXT_CHARS = 200_000  # text typed on the edit form or sent to the edit API
MAX_ANSWER_CHARS = 20_000  # each of a reflection's four answers
