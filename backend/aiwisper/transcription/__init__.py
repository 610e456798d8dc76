"""Turning chunks into text: the guard against invented text, the live policy, and the service."""
