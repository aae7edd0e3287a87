"""Pure mapping: a Stripe object plus the mapping configuration → the P21 commands to send.

Nothing here does I/O; handlers fetch, map, then send through the P21 gateway."""
