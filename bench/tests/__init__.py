"""Unit tests of the harness's parsing and statistics (stdlib unittest): cd bench && python3 -B -m unittest discover -s tests -t ."""
