"""Audio and video files: decoding with PyAV, and importing them as sessions."""
