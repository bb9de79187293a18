"""Assisted interviews by wijkteam workers: at the kitchen table, also without a connection, and follow-ups."""
