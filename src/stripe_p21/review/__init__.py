"""Review items: every exception the service cannot settle, with its evidence, for a person."""
