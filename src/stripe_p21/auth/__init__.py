"""Bearer tokens for the JSON API: created by the CLI, stored as hashes, checked by a guard."""
