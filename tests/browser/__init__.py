"""Tests of the map explorer in a real browser: Playwright for Python driving Debian's Chromium (see conftest.py)."""
