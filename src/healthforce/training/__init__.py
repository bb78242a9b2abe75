"""Competencies and learning pathways tied to teams and to the plan."""
