"""What the learning groups have learned about a question: `/learned`, `/api/learned`."""
