"""Outcome analysis over data frames: scale profiles, resident types, open-answer themes and disclosure control."""
