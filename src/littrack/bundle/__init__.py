"""Study bundles: a folder with study.toml and effects.csv, read, validated and loaded as one unit, and written."""
