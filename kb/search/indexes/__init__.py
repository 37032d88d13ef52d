"""The indexes derived from the database: keyword, vectors, latent terms, and the builder."""
