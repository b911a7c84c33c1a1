"""PubMed tracking: saved searches, the refresh job and its lock, triage of the papers found."""
