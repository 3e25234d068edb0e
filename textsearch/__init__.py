"""Chinese text search over querysets: one interface on SQLite and PostgreSQL."""
