"""Figures for planners: where families live, and how far they are from a meeting place."""
