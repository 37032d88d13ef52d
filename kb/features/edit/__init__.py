"""Changing one's own documents: `/edit/SOURCE`, delete and undo, versions and restore."""

# No entry in the main menu: reached from a document's page.
NAV = None
