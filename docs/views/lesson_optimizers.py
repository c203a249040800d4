"""Lesson: see lessons.py."""

from lessons import show

show("optimizers")
