"""Municipalities, wijken and buurten: loading CBS area lists and postcode tables."""
