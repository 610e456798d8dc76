"""Whisper models: CTranslate2 → ggml conversion, quantization and the model registry."""
