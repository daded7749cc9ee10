"""The DuckDB warehouse: schema, migrations, every SQL statement, the shipped catalogue and sample district."""
