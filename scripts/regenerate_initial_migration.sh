#!/usr/bin/env bash
# Until the first release there is one initial migration, regenerated from the models.
# After a release, add new revisions with `concilia db revision -m "..."` instead.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f src/concilia/migrations/versions/0001_initial.py
CONCILIA_VAR_DIR="$tmp" CONCILIA_DATABASE_URL="sqlite:///$tmp/empty.db" .venv/bin/python - <<'PY'
from alembic import command
from concilia.migrate import alembic_config
command.revision(alembic_config(), message="initial schema", autogenerate=True, rev_id="0001")
PY
file=$(ls src/concilia/migrations/versions/0001_*.py)
mv "$file" src/concilia/migrations/versions/0001_initial.py
.venv/bin/python - <<'PY'
from pathlib import Path
p = Path("src/concilia/migrations/versions/0001_initial.py")
s = p.read_text()
marker = "    # ### end Alembic commands ###"
hook = (
    "    # The audit log is append-only at the database level.\n"
    "    from concilia.audit.models import append_only_statements\n\n"
    "    for statement in append_only_statements(op.get_bind().dialect.name):\n"
    "        op.execute(statement)\n"
)
# Indexes declared for one dialect only: autogenerate leaves them out (see
# concilia.migrate.dialect_only_indexes); they are written here as conditional SQL.
from sqlalchemy.dialects import registry
from sqlalchemy.schema import CreateIndex

from concilia.db import Base
from concilia.domains import load_all_models
from concilia.migrate import dialect_only_indexes

load_all_models()
for name, index in sorted(dialect_only_indexes(Base.metadata).items()):
    dialect = index._ddl_if.dialect
    sql = str(CreateIndex(index).compile(dialect=registry.load(dialect)()))
    pieces = [f"{part}, " for part in sql.strip().split(", ")]
    pieces[-1] = pieces[-1][:-2]
    # Long pieces cut at 60 characters, so the literals stay within the line length.
    pieces = [piece[i : i + 60] for piece in pieces for i in range(0, len(piece), 60)]
    lines = "".join(f"            {piece!r}\n" for piece in pieces)
    hook += (
        f"\n    if op.get_bind().dialect.name == {dialect!r}:\n"
        f"        op.execute(\n{lines}        )\n"
    )
# Expression indexes on every dialect (e.g. lower(reference)): autogenerate skips them on
# SQLite, which cannot reflect them, so they are written here with their SQL expression.
from sqlalchemy.dialects import sqlite
from sqlalchemy.sql.elements import ColumnClause

for table in sorted(Base.metadata.tables.values(), key=lambda t: t.name):
    for index in sorted(table.indexes, key=lambda i: str(i.name)):
        if getattr(index, "_ddl_if", None) is not None:
            continue
        if all(isinstance(e, ColumnClause) for e in index.expressions):
            continue
        exprs = [
            str(e.compile(dialect=sqlite.dialect(), compile_kwargs={"include_table": False}))
            for e in index.expressions
        ]
        cols = ", ".join(f"sa.text({x!r})" for x in exprs)
        hook += (
            f"\n    op.create_index({str(index.name)!r}, {table.name!r}, [{cols}],"
            f" unique={bool(index.unique)})\n"
        )
head, sep, tail = s.partition(marker)
s = head + sep + "\n" + hook + tail
p.write_text(s)
PY
.venv/bin/ruff format src/concilia/migrations/versions/0001_initial.py >/dev/null
.venv/bin/ruff check --fix src/concilia/migrations/versions/0001_initial.py >/dev/null || true
echo "regenerated src/concilia/migrations/versions/0001_initial.py"
