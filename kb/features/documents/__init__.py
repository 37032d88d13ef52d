"""One document: its page `/doc/SOURCE` and its download `/download/SOURCE`."""
