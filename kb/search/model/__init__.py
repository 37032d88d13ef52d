"""The model runtime: the embedding and latent-term encoders and their engines."""
