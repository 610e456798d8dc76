"""Meeting summaries by a local language model (llama.cpp) or a local OpenAI-compatible server, map → reduce
over transcripts of any length, in a worker process."""
