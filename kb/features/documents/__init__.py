"""One document: its page `/doc/SOURCE` and its download `/download/SOURCE`."""

# No entry in the main menu: reached from search hits, lists and links.
NAV = None
