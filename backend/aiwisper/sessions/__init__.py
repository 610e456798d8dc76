"""Recording sessions: their rows, the coordinator that records them, and crash recovery."""
