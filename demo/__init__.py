"""The demo municipality Leefdam and a generator of synthetic respondents with planted structure."""
