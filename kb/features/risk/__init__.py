"""Knowledge held by few: `/risk`, `/api/risk`, `kb risk`."""
