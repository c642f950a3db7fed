"""The benchmark harness behind scripts/bench: scenarios as data, sides measured in alternating rounds."""
