"""Every write of the scoring app, one module per area (rollups.py, scores.py, ...)."""
