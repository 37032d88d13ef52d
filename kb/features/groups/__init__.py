"""A learning group's page `/groups/NAME` and a tag's page `/tags/TAG`."""

# No entry in the main menu: reached from reflections and tags on other pages.
NAV = None
