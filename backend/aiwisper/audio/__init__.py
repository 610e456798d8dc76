"""Audio: reading, resampling, capture and writing."""

SAMPLE_RATE = 16000
