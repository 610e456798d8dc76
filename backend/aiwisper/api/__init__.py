"""The backend API: one command registry behind the pywebview bridge and the HTTP fallback, and the event stream."""
