"""Blueprints, one per noun; each view parses input, calls one service, renders or returns JSON."""
