"""The home page `/`: what is new around a colleague, their own material, mentor or mentees."""

# No entry in the main menu: the search page without a question (`/`) is the home page.
NAV = None
