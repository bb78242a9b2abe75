"""The web observatory: a versioned JSON API and bilingual public pages (FastAPI)."""
