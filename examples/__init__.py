"""Example applications; each runs with ``python3 dev.py serve`` or a server of your choice."""
