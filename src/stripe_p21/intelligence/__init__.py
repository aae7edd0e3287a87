"""The intelligence layer: customer matching, mapping suggestions, (later) anomaly scores,
triage and summaries. Pure scoring where possible; gateways for the LLM."""
