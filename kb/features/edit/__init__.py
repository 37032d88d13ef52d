"""Changing one's own documents: `/edit/SOURCE`, delete and undo, versions and restore."""
