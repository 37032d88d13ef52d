"""kb: the team's shared memory for collegial learning."""

__version__ = "0.1.0"
