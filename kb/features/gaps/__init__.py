"""What colleagues look for and do not find: `/gaps`, `/api/gaps`, `kb gaps`."""
