"""The features colleagues use, each in the same shape.

A feature is a package `kb/features/<name>/` with up to four modules:

- `queries.py`: take the facade and the `Viewer` who asks, return dataclasses;
- `payload.py`: turn those into the one dict that is the API body, the page's context and the
  CLI's `--json`;
- `views.py`: the page route and the API route, both rendering that payload;
- `commands.py`: the `kb` commands, printing that payload (or its JSON).

A feature imports the core, the facade and the web or CLI plumbing, never another feature.
"""
