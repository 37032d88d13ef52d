"""YAML front matter and metadata: read safely, split from the body, or dropped."""

from __future__ import annotations

import re

import yaml

from kb.limits import MAX_METADATA_BYTES

FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


class NoAliasLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases: `*name` could expand a few bytes exponentially."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in kb metadata", mark
            )
        return super().compose_node(parent, index)


def _timestamp(loader, node):
    """Read an impossible date (2011-02-30) as its text, so one entry reports it, not all."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


NoAliasLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)

# libyaml's safe loader (C), with the same constructors: front matter parsed at a tenth of the
# cost, which a bundle of 100,000 files pays 100,000 times. It cannot refuse aliases as they
# are composed, so it only reads text with no "*" in it (an alias cannot be written without).
FastLoader = None
if getattr(yaml, "CSafeLoader", None) is not None:

    class FastLoader(yaml.CSafeLoader):
        """libyaml's safe loader reading impossible dates as text, as NoAliasLoader does."""

    FastLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def load_yaml(text: str, limit: int | None = MAX_METADATA_BYTES):
    """Parse YAML safely: no aliases, no Python objects, at most `limit` characters."""
    if limit is not None and len(text) > limit:
        raise yaml.YAMLError(f"larger than {limit // 1024} KB")
    if FastLoader is not None and "*" not in text:
        try:
            return yaml.load(text, Loader=FastLoader)  # noqa: S506 - a safe loader subclass
        except yaml.YAMLError:
            pass  # the pure-Python loader says what is wrong, in the words kb always used
    return yaml.load(text, Loader=NoAliasLoader)  # noqa: S506 - a safe loader subclass


def split_front_matter(text: str) -> tuple[dict, str]:
    """Split Markdown into its YAML front matter and body; raise ValueError when malformed."""
    if not text.startswith("---"):
        return {}, text
    match = FRONT_MATTER.match(text)
    if not match:
        raise ValueError("front matter is not closed by a line '---'")
    try:
        meta = load_yaml(match.group(1))
    except yaml.YAMLError as exc:
        raise ValueError(f"front matter is not valid YAML ({yaml_reason(exc)})") from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ValueError("front matter is not a set of key: value lines")
    return meta, text[match.end() :]


def yaml_reason(exc: yaml.YAMLError) -> str:
    """Say where and why YAML failed to parse, in one line."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc) or "syntax error"
    return f"{problem} at line {mark.line + 1}" if mark else str(problem)


def strip_front_matter(text: str) -> str:
    """Drop a leading YAML front matter block (metadata, not content)."""
    match = FRONT_MATTER.match(text)
    return text[match.end() :] if match else text
