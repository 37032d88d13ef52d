"""The home page `/`: what is new around a colleague, their own material, mentor or mentees."""
