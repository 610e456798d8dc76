"""Search by meaning: multilingual-e5-small sentence embeddings of segments, memos and document passages."""
