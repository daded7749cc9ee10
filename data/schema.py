"""Schema versions with forward migrations.

A warehouse records its version in `meta`; opening it applies every later
migration in one transaction, so a file made by an older release opens in a
newer one. Migrations are append-only: never edit one that has shipped.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (
        1,
        "units, catalogue, observations, batches, audit log",
        [
            "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
            """CREATE TABLE units (
                code VARCHAR PRIMARY KEY,
                name_zh VARCHAR NOT NULL,
                name_en VARCHAR,
                kind VARCHAR NOT NULL CHECK (kind IN ('street', 'department')),
                peer_group VARCHAR NOT NULL,
                peer_group_zh VARCHAR,
                peer_group_en VARCHAR,
                population BIGINT,
                parent_code VARCHAR,
                active_from VARCHAR,
                active_to VARCHAR
            )""",
            """CREATE TABLE indicators (
                code VARCHAR PRIMARY KEY,
                name_zh VARCHAR NOT NULL,
                name_en VARCHAR,
                dimension_zh VARCHAR NOT NULL,
                dimension_en VARCHAR,
                applies_to VARCHAR NOT NULL CHECK (applies_to IN ('street', 'department', 'both')),
                unit VARCHAR,
                direction VARCHAR NOT NULL CHECK (direction IN ('higher', 'lower', 'neutral')),
                kind VARCHAR NOT NULL,
                ratio BOOLEAN NOT NULL,
                min DOUBLE,
                max DOUBLE,
                typical_low DOUBLE,
                typical_high DOUBLE,
                basis VARCHAR,
                active BOOLEAN NOT NULL DEFAULT TRUE
            )""",
            """CREATE TABLE batches (
                batch_id BIGINT PRIMARY KEY,
                created_at TIMESTAMP NOT NULL,
                actor VARCHAR NOT NULL,
                kind VARCHAR NOT NULL,
                source_name VARCHAR,
                file_hash VARCHAR,
                rows_written BIGINT,
                status VARCHAR NOT NULL DEFAULT 'committed',
                warnings_accepted BOOLEAN NOT NULL DEFAULT FALSE,
                reason VARCHAR,
                report VARCHAR,
                gx_result VARCHAR,
                rolled_back_at TIMESTAMP,
                rolled_back_by VARCHAR
            )""",
            """CREATE TABLE observations (
                unit_code VARCHAR NOT NULL,
                indicator_code VARCHAR NOT NULL,
                month VARCHAR NOT NULL,
                value DOUBLE,
                numerator DOUBLE,
                denominator DOUBLE,
                status VARCHAR NOT NULL CHECK (status IN ('ok', 'na', 'missing')),
                batch_id BIGINT NOT NULL
            )""",
            """CREATE TABLE audit_log (
                seq BIGINT PRIMARY KEY,
                logged_at TIMESTAMP NOT NULL,
                actor VARCHAR NOT NULL,
                action VARCHAR NOT NULL,
                target VARCHAR,
                file_hash VARCHAR,
                detail VARCHAR
            )""",
        ],
    ),
    (
        2,
        "revision history of observations; unit lineage (splits, merges, renames)",
        [
            "ALTER TABLE observations ADD COLUMN revision INTEGER DEFAULT 1",
            "ALTER TABLE observations ADD COLUMN is_current BOOLEAN DEFAULT TRUE",
            "ALTER TABLE observations ADD COLUMN recorded_at TIMESTAMP",
            "ALTER TABLE observations ADD COLUMN superseded_at TIMESTAMP",
            """UPDATE observations SET revision = 1, is_current = TRUE,
                   recorded_at = (SELECT created_at FROM batches b WHERE b.batch_id = observations.batch_id)""",
            """CREATE TABLE unit_lineage (
                month VARCHAR NOT NULL,
                event VARCHAR NOT NULL CHECK (event IN ('split', 'merge', 'rename', 'create', 'retire')),
                from_code VARCHAR,
                to_code VARCHAR,
                note VARCHAR
            )""",
        ],
    ),
    (
        3,
        "scoring: adjustments (bonus, deduction, veto), publications and their frozen results",
        [
            """CREATE TABLE adjustments (
                adj_id BIGINT PRIMARY KEY,
                unit_code VARCHAR NOT NULL,
                month VARCHAR NOT NULL,
                kind VARCHAR NOT NULL CHECK (kind IN ('bonus', 'deduction', 'veto')),
                points DOUBLE NOT NULL DEFAULT 0 CHECK (points >= 0),
                reason VARCHAR NOT NULL,
                evidence VARCHAR,
                actor VARCHAR NOT NULL,
                created_at TIMESTAMP NOT NULL,
                revoked_at TIMESTAMP,
                revoked_by VARCHAR,
                revoke_reason VARCHAR
            )""",
            """CREATE TABLE publications (
                month VARCHAR NOT NULL,
                period VARCHAR NOT NULL DEFAULT 'month',
                revision INTEGER NOT NULL,
                scheme_id VARCHAR NOT NULL,
                scheme_version VARCHAR NOT NULL,
                actor VARCHAR NOT NULL,
                reason VARCHAR,
                published_at TIMESTAMP NOT NULL,
                steps VARCHAR,
                data_checksum VARCHAR,
                PRIMARY KEY (month, period, revision)
            )""",
            """CREATE TABLE published_results (
                month VARCHAR NOT NULL,
                period VARCHAR NOT NULL,
                revision INTEGER NOT NULL,
                unit_code VARCHAR NOT NULL,
                name_zh VARCHAR,
                peer_group VARCHAR,
                base_score DOUBLE,
                bonus DOUBLE,
                deduction DOUBLE,
                total DOUBLE,
                veto BOOLEAN,
                veto_reason VARCHAR,
                grade VARCHAR,
                rank INTEGER,
                n_in_group INTEGER,
                detail VARCHAR,
                PRIMARY KEY (month, period, revision, unit_code)
            )""",
        ],
    ),
]

MIGRATIONS.append((
    4,
    "why a batch was rolled back; the content fingerprint of a publication's scheme; sample batches "
    "named by their kind, not by English text",
    [
        "ALTER TABLE batches ADD COLUMN rollback_reason VARCHAR",
        "ALTER TABLE publications ADD COLUMN scheme_fingerprint VARCHAR",
        "ALTER TABLE publications ADD COLUMN scheme_year VARCHAR",
        # what a generated batch was made from (JSON: generator, units, seed); `report` stays the
        # import checks' report (none for a sample: its data were not import-checked)
        "ALTER TABLE batches ADD COLUMN source_detail VARCHAR",
        # older releases named the sample batch in English ('sample district (seed 20261)'): the kind
        # says what it is (shown in words), the old name moves into source_detail
        """UPDATE batches SET source_detail = json_object('source', source_name)::VARCHAR, source_name = NULL
           WHERE kind = 'sample' AND source_name LIKE 'sample%'""",
    ],
))

MIGRATIONS.append((
    5,
    "the shipped catalogue's Chinese names in full-width punctuation, as official documents write them",
    [
        """UPDATE indicators SET name_zh = '群众满意度（第三方调查）'
           WHERE code = 'CP_SURVEY' AND name_zh = '群众满意度(第三方调查)'""",
    ],
))


MIGRATIONS.append((
    6,
    "transaction time for every input of a build: a write sequence (meta input_seq) stamped on batches "
    "(created, rolled back), adjustments (added, revoked) and observation rows (recorded, superseded); a "
    "publication's as-of point, the units and catalogue it read, and a checksum of its exact inputs",
    [
        # one counter, raised by every write a build can read; what existed before this migration is
        # at point 0 (the column defaults; its order is kept by batch ids and revisions)
        "INSERT OR REPLACE INTO meta VALUES ('input_seq', '0')",
        "ALTER TABLE batches ADD COLUMN created_seq BIGINT DEFAULT 0",
        "ALTER TABLE batches ADD COLUMN rolled_back_seq BIGINT",
        "UPDATE batches SET rolled_back_seq = 0 WHERE status <> 'committed'",
        "ALTER TABLE observations ADD COLUMN recorded_seq BIGINT DEFAULT 0",
        "ALTER TABLE observations ADD COLUMN superseded_seq BIGINT",
        "UPDATE observations SET superseded_seq = 0 WHERE NOT is_current",
        "ALTER TABLE adjustments ADD COLUMN created_seq BIGINT DEFAULT 0",
        "ALTER TABLE adjustments ADD COLUMN revoked_seq BIGINT",
        "UPDATE adjustments SET revoked_seq = 0 WHERE revoked_at IS NOT NULL",
        # NULL for a publication made before this migration: it has no as-of point
        "ALTER TABLE publications ADD COLUMN as_of_seq BIGINT",
        "ALTER TABLE publications ADD COLUMN inputs_checksum VARCHAR",
        "ALTER TABLE publications ADD COLUMN inputs VARCHAR",
    ],
))



MIGRATIONS.append((
    7,
    "a district's own catalogue: each indicator's source system and owning office, and the month it is "
    "retired from (its row and its history are kept)",
    [
        "ALTER TABLE indicators ADD COLUMN source_system VARCHAR",
        "ALTER TABLE indicators ADD COLUMN owner_office VARCHAR",
        "ALTER TABLE indicators ADD COLUMN retired_from VARCHAR",
    ],
))



def _store_shipped_schemes(con) -> None:
    """A Python step (a callable in a migration's statements runs with the transaction's connection): an
    older warehouse that holds units or observations was scored with the shipped schemes; they are stored
    as its active ones (data.scheme_rows)."""
    from kaohe.data import scheme_rows

    scheme_rows.after_migration_8(con)


MIGRATIONS.append((
    8,
    "scoring schemes stored per year and versioned (draft, active, superseded; at most one active a year); "
    "a warehouse that already holds data gets the shipped schemes as active",
    [
        """CREATE TABLE schemes (
            year VARCHAR NOT NULL,
            version VARCHAR NOT NULL,
            status VARCHAR NOT NULL CHECK (status IN ('draft', 'active', 'superseded')),
            data VARCHAR NOT NULL,
            fingerprint VARCHAR NOT NULL,
            source_name VARCHAR,
            note VARCHAR,
            created_at TIMESTAMP NOT NULL,
            created_by VARCHAR NOT NULL,
            activated_at TIMESTAMP,
            activated_by VARCHAR,
            PRIMARY KEY (year, version)
        )""",
        _store_shipped_schemes,
    ],
))


MIGRATIONS.append((
    9,
    "accounts (login, role, scope, argon2 password hash, disabled), sign-in attempts for the rate limit, and "
    "sessions (only a token's sha256 is stored) shared by every server on the warehouse",
    [
        """CREATE TABLE accounts (
            login VARCHAR PRIMARY KEY,
            name VARCHAR,
            role VARCHAR NOT NULL CHECK (role IN ('leader', 'evaluator', 'admin', 'unit')),
            sources VARCHAR NOT NULL DEFAULT '[]',
            offices VARCHAR NOT NULL DEFAULT '[]',
            unit_code VARCHAR,
            password_hash VARCHAR,
            disabled BOOLEAN NOT NULL DEFAULT FALSE,
            created_at TIMESTAMP NOT NULL,
            created_by VARCHAR NOT NULL,
            updated_at TIMESTAMP,
            updated_by VARCHAR
        )""",
        """CREATE TABLE signin_attempts (
            login VARCHAR NOT NULL,
            "at" TIMESTAMP NOT NULL,
            ok BOOLEAN NOT NULL,
            address VARCHAR
        )""",
        """CREATE TABLE sessions (
            token_hash VARCHAR PRIMARY KEY,
            login VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            seen_at TIMESTAMP NOT NULL,
            expires_at TIMESTAMP NOT NULL,
            ended_at TIMESTAMP
        )""",
    ],
))

MIGRATIONS.append((
    10,
    "公示 (publicity: a month or period made known with a deadline for appeals), 申诉 (appeals with their "
    "evidence and decisions), and the notes of a publication (the appeals that changed its figures)",
    [
        """CREATE TABLE publicity (
            id BIGINT PRIMARY KEY,
            month VARCHAR NOT NULL,
            period VARCHAR NOT NULL,
            opened_at TIMESTAMP NOT NULL,
            opened_by VARCHAR NOT NULL,
            deadline DATE NOT NULL,
            channel VARCHAR,
            closed_at TIMESTAMP,
            closed_by VARCHAR,
            note VARCHAR
        )""",
        """CREATE TABLE appeals (
            id BIGINT PRIMARY KEY,
            publicity_id BIGINT NOT NULL,
            month VARCHAR NOT NULL,
            period VARCHAR NOT NULL,
            unit_code VARCHAR NOT NULL,
            indicator_code VARCHAR,
            item VARCHAR,
            reason VARCHAR NOT NULL,
            evidence_name VARCHAR,
            evidence_mime VARCHAR,
            evidence BLOB,
            evidence_sha256 VARCHAR,
            filed_at TIMESTAMP NOT NULL,
            filed_by VARCHAR NOT NULL,
            status VARCHAR NOT NULL CHECK (status IN ('open', 'accepted', 'rejected', 'withdrawn')),
            decision VARCHAR,
            decided_at TIMESTAMP,
            decided_by VARCHAR,
            adj_id BIGINT
        )""",
        "ALTER TABLE publications ADD COLUMN notes VARCHAR",
    ],
))

# migrations apply in their numbers' order, whatever order the blocks above were appended in
MIGRATIONS.sort(key=lambda m: m[0])

LATEST = MIGRATIONS[-1][0]
