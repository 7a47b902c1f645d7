"""Cases: what agencies tell the hub about a victim's case."""
