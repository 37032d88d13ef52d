"""Writing down a learning group's reflection: the form `/reflect`."""
