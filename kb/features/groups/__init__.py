"""A learning group's page `/groups/NAME` and a tag's page `/tags/TAG`."""
