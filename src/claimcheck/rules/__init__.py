"""Rule packs: the YAML schema (``schema``, ``kinds``), reading YAML with lines (``yamlsource``),
and loading with cross-checks against the code sets (``loader``, ``codes``)."""
