/**
 * Every schema change of a project file, numbered in this one place. A project's
 * `PRAGMA user_version` is the number of migrations applied to it; opening a project applies the
 * missing ones, each in its own transaction. Never edit a migration that has shipped: add one.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'project metadata and the job log',
    sql: `
      CREATE TABLE project_meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE jobs (
        id           INTEGER PRIMARY KEY,
        kind         TEXT NOT NULL,
        title        TEXT NOT NULL,
        params       TEXT NOT NULL,            -- JSON, as validated by the contract
        state        TEXT NOT NULL CHECK (state IN ('queued','running','done','failed','cancelled','interrupted')),
        progress     TEXT NOT NULL,            -- JSON JobProgress, written at most about once a second
        created_at   TEXT NOT NULL,
        started_at   TEXT,
        finished_at  TEXT,
        error        TEXT,
        result       TEXT                      -- JSON
      ) STRICT;
      CREATE INDEX jobs_by_state ON jobs (state);
    `,
  },
];

export const LATEST_SCHEMA_VERSION = migrations.length;

/** 'GRFT' as a 32-bit integer: marks a SQLite file as a Graft project (PRAGMA application_id). */
export const GRAFT_APPLICATION_ID = 0x47524654;
