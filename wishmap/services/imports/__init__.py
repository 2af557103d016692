"""What importers share beyond reading files (see wishmap/services/importing.py for readers):
addresses, status and category vocabularies, OpenStreetMap, merging street pieces."""
