"""Documents kept beside the sessions (PDF, DOCX, text, Markdown): their text, passage by passage, is searched
with the transcripts."""
