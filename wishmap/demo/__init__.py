"""The demo district's real data: an extract of the Paris open data (paris19/) and its recipe."""
