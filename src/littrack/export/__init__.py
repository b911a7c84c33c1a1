"""Exports: effect sizes (csv, json, metafor), papers (BibTeX, RIS, CSL-JSON) and whole studies as bundles."""
