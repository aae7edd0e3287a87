"""Job runtime: how `process_event` reaches a worker — arq on Redis, or in-process."""
