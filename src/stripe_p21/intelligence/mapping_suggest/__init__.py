"""Field-mapping suggestions between a source and a target schema."""
