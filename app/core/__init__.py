"""What every capability uses and nothing above it defines: time, ids, encryption of data at
rest, bulk writes, YAML read with line numbers, the vocabularies agencies and pages share.

The bottom layer: it imports no other package of the app (the import-linter contracts in
pyproject.toml keep it so)."""
