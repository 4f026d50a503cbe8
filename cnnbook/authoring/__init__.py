"""Authoring tools: execute notebooks deterministically, generate exercises."""
