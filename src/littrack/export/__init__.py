"""Exports: effect sizes (csv, json, metafor) and papers (BibTeX, RIS, CSL-JSON); whole studies: bundle.write."""
