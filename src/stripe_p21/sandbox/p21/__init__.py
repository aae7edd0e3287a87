"""A faithful Prophet 21 stand-in: P21's real surfaces and quirks over a seeded SQLite store."""
