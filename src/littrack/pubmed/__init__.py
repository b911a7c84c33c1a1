"""PubMed XML: streaming parser and the records it yields."""
