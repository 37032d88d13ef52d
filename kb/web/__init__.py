"""The web plumbing every feature's views stand on: blueprints, log-in, forms, security, errors.

Nothing here imports a feature; `kb/app.py` puts the features and this plumbing together.
"""
