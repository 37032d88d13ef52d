"""The services the facade (kb.service.KnowledgeBase) is made of, one class a module.

Each is given what it needs when it is made (the database, the settings, the index
snapshots, the other services it asks) and holds no way back to the facade. A feature asks
one of them one question per answer and gets dataclasses or dicts, never ORM rows:

- `people.People`: who is who (viewers, names, profiles, tokens, coordinators);
- `documents.Documents`: the store, ingest, export, sync and one document as a page shows it;
- `finder.Finder`: searches, and the search page read in one session;
- `upkeep.Upkeep`: owners and review dates, search gaps, material requests;
- `expertise.Expertise`: who knows what, mentors and mentorships, knowledge risk.

The indexes themselves are `kb.search.serving.snapshots.IndexSnapshots` (core: the facade holds one).
"""
