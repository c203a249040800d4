"""Lesson: see lessons.py."""

from lessons import show

show("activations")
