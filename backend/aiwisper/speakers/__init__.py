"""Who spoke when: speaker embeddings (CAM++), clustering and turns."""
