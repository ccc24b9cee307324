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

/** The job log, the same in a project and in the app's own database. */
const JOB_LOG = `
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
        result       TEXT,                     -- JSON
        owner_pid    INTEGER                   -- the process running it: another Graft process may share the project
      ) STRICT;
      CREATE INDEX jobs_by_state ON jobs (state);
`;

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'project metadata and the job log',
    sql: `
      CREATE TABLE project_meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      ${JOB_LOG}
    `,
  },
  {
    version: 2,
    description: 'the photo library: images by content hash, their paths, classes, labels, splits',
    sql: `
      CREATE TABLE classes (
        id        INTEGER PRIMARY KEY,
        name      TEXT NOT NULL UNIQUE COLLATE NOCASE,
        color     TEXT NOT NULL,
        position  INTEGER NOT NULL
      ) STRICT;

      -- One row per distinct photo content: the same photo in two folders is one image.
      CREATE TABLE images (
        id            INTEGER PRIMARY KEY,
        hash          TEXT NOT NULL UNIQUE,      -- SHA-256 of the file's bytes
        name          TEXT NOT NULL,             -- file name when first imported: the grid's sort key
        width         INTEGER NOT NULL,
        height        INTEGER NOT NULL,
        format        TEXT NOT NULL,
        bytes         INTEGER NOT NULL,
        added_at      TEXT NOT NULL,
        class_id      INTEGER REFERENCES classes(id) ON DELETE SET NULL,
        labelled_at   TEXT,
        -- train / validation / test; 'folder' and 'pinned' splits are never reassigned.
        split         TEXT NOT NULL CHECK (split IN ('train','validation','test')),
        split_source  TEXT NOT NULL DEFAULT 'auto' CHECK (split_source IN ('auto','folder','pinned'))
      ) STRICT;
      CREATE INDEX images_by_class ON images (class_id);
      CREATE INDEX images_by_split ON images (split);
      CREATE INDEX images_by_name ON images (name COLLATE NOCASE, id);
      CREATE INDEX images_by_added ON images (added_at, id);

      CREATE TABLE image_paths (
        path      TEXT PRIMARY KEY,
        image_id  INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        folder    TEXT NOT NULL,
        name      TEXT NOT NULL,
        size      INTEGER NOT NULL,
        mtime_ms  INTEGER NOT NULL,
        missing   INTEGER NOT NULL DEFAULT 0    -- the file was not found at the last import
      ) STRICT;
      CREATE INDEX image_paths_by_image ON image_paths (image_id);
      CREATE INDEX image_paths_by_folder ON image_paths (folder);

      -- The folders the user chose to import, re-scanned by a later import.
      CREATE TABLE sources (
        folder         TEXT PRIMARY KEY,
        folder_labels  INTEGER NOT NULL,
        added_at       TEXT NOT NULL
      ) STRICT;

      -- Files that look like images but could not be imported, with the reason.
      CREATE TABLE import_problems (
        path    TEXT PRIMARY KEY,
        reason  TEXT NOT NULL,
        seen_at TEXT NOT NULL
      ) STRICT;

      -- Label changes, grouped per user action, for undo and redo.
      CREATE TABLE label_edits (
        id          INTEGER PRIMARY KEY,
        action_id   INTEGER NOT NULL,
        image_id    INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        before      INTEGER,
        after       INTEGER,
        undone      INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE INDEX label_edits_by_action ON label_edits (action_id);

      INSERT INTO project_meta (key, value) VALUES ('split_ratios', '{"train":0.7,"validation":0.15,"test":0.15}'), ('split_seed', '1');
    `,
  },
  {
    version: 3,
    description: 'feature cache and training runs',
    sql: `
      -- Backbone features of each photo, so that retraining after relabelling costs seconds.
      CREATE TABLE features (
        hash           TEXT NOT NULL,            -- the image's content hash
        backbone       TEXT NOT NULL,
        preprocessing  TEXT NOT NULL,            -- crop mode and preprocessing version
        vector         BLOB NOT NULL,            -- float32, little-endian
        PRIMARY KEY (hash, backbone, preprocessing)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE runs (
        id            INTEGER PRIMARY KEY,
        job_id        INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
        created_at    TEXT NOT NULL,
        kind          TEXT NOT NULL,             -- 'transfer' (backbone features + head)
        backbone      TEXT NOT NULL,
        config        TEXT NOT NULL,             -- JSON: everything needed to train it again
        backend       TEXT NOT NULL,             -- the TensorFlow.js backend really used
        classes       TEXT NOT NULL,             -- JSON [{id, name}] in the model's output order
        extract_seconds REAL NOT NULL,
        features_computed INTEGER NOT NULL,      -- photos whose inputs were computed (not from the cache)
        photos        INTEGER NOT NULL,          -- photos used: training, early stopping and test
        train_seconds   REAL NOT NULL,
        epochs        INTEGER NOT NULL,
        history       TEXT NOT NULL,             -- JSON per-epoch losses and accuracies
        evaluation    TEXT NOT NULL,             -- JSON metrics on the test split
        head          BLOB NOT NULL              -- JSON of the head's weights
      ) STRICT;

      -- What a run predicted for each of its test photos: confusion-matrix cells, top losses.
      CREATE TABLE run_predictions (
        run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        image_id      INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        true_class    INTEGER NOT NULL,          -- class ids at training time
        predicted     INTEGER NOT NULL,
        confidence    REAL NOT NULL,             -- probability of the predicted class
        loss          REAL NOT NULL,             -- -log p(true class): high means likely mislabelled or hard
        PRIMARY KEY (run_id, image_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX run_predictions_by_loss ON run_predictions (run_id, loss DESC);

      -- A trained model's guess for each unlabelled photo, offered to the user as a label.
      CREATE TABLE suggestions (
        image_id    INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
        run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        class_id    INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
        confidence  REAL NOT NULL,
        margin      REAL NOT NULL               -- top probability minus the second: small means unsure
      ) STRICT;
      CREATE INDEX suggestions_by_margin ON suggestions (margin);
    `,
  },
  {
    version: 4,
    description: 'classified photo libraries',
    sql: `
      -- A model that classified photos: one of this project's runs, or an exported model folder.
      CREATE TABLE classifiers (
        id          INTEGER PRIMARY KEY,
        identity    TEXT NOT NULL UNIQUE,         -- 'run:<id>', or 'onnx:<sha256 of model.onnx>'
        run_id      INTEGER REFERENCES runs(id) ON DELETE SET NULL,
        name        TEXT NOT NULL,
        labels      TEXT NOT NULL,                -- JSON class names in the model's output order
        added_at    TEXT NOT NULL
      ) STRICT;

      -- One row per file a classifier looked at; the probabilities are kept, so the "unknown"
      -- threshold applies when reading and can change without classifying again.
      CREATE TABLE classified_photos (
        id            INTEGER PRIMARY KEY,
        classifier_id INTEGER NOT NULL REFERENCES classifiers(id) ON DELETE CASCADE,
        path          TEXT NOT NULL,
        size          INTEGER NOT NULL,
        mtime_ms      INTEGER NOT NULL,
        hash          TEXT,                       -- content hash; null when the file could not be read
        class_index   INTEGER,                    -- best class; null with an error
        confidence    REAL,
        top           TEXT,                       -- JSON [[class index, probability], ...], best first
        error         TEXT,
        classified_at TEXT NOT NULL,
        UNIQUE (classifier_id, path)
      ) STRICT;
      CREATE INDEX classified_by_hash ON classified_photos (classifier_id, hash);
      CREATE INDEX classified_by_class ON classified_photos (classifier_id, class_index, confidence);

      -- A run that fine-tuned the backbone's top block keeps those layers' weights (JSON).
      ALTER TABLE runs ADD COLUMN fine_tuned BLOB;

      -- Suggestions may now come from a model exported by another project (no run here).
      CREATE TABLE suggestions_v4 (
        image_id    INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
        run_id      INTEGER REFERENCES runs(id) ON DELETE CASCADE,
        class_id    INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
        confidence  REAL NOT NULL,
        margin      REAL NOT NULL
      ) STRICT;
      INSERT INTO suggestions_v4 SELECT image_id, run_id, class_id, confidence, margin FROM suggestions;
      DROP TABLE suggestions;
      ALTER TABLE suggestions_v4 RENAME TO suggestions;
      CREATE INDEX suggestions_by_margin ON suggestions (margin);
    `,
  },
  {
    version: 5,
    description: 'per-window undo, problem files remembered, near-duplicates and import conflicts, the engine of each run',
    sql: `
      -- Which window (or CLI command) made a label change: undo undoes only one's own.
      ALTER TABLE label_edits ADD COLUMN origin TEXT;

      -- A file that could not be imported is not read again until it changes.
      ALTER TABLE import_problems ADD COLUMN size INTEGER;
      ALTER TABLE import_problems ADD COLUMN mtime_ms INTEGER;

      -- Perceptual hash (64-bit, hex) and the near-duplicate group a photo belongs to (the id of
      -- the group's first photo): a group is kept in one split, so a copy cannot inflate the score.
      ALTER TABLE images ADD COLUMN phash TEXT;
      ALTER TABLE images ADD COLUMN near_group INTEGER;
      CREATE INDEX images_by_near_group ON images (near_group);
      CREATE INDEX images_by_class_split ON images (class_id, split);

      -- Photos met in two split folders or two class folders at import: listed, never resolved silently.
      CREATE TABLE import_conflicts (
        image_id  INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        kind      TEXT NOT NULL CHECK (kind IN ('split', 'class')),
        paths     TEXT NOT NULL,             -- JSON: the paths that disagree
        detail    TEXT NOT NULL,             -- what each path says, in words
        seen_at   TEXT NOT NULL,
        PRIMARY KEY (image_id, kind)
      ) STRICT;

      -- What computed a run's features (onnxruntime and its device, or TensorFlow.js).
      ALTER TABLE runs ADD COLUMN engine TEXT;

      -- Natural order of file names (cat.2 before cat.10): a key that sorts as plain text, written
      -- at import (and for older photos when a project opens); see src/shared/naturalSort.ts.
      ALTER TABLE images ADD COLUMN sort_key TEXT;
      CREATE INDEX images_by_sort_key ON images (sort_key, id);

      -- The split that measured a run: 'test', or 'validation' standing in for a missing test split.
      ALTER TABLE runs ADD COLUMN evaluated_on TEXT;

      -- The "unknown below" threshold last chosen for a classifier's results: the app, graft
      -- classify and graft results all start from it.
      ALTER TABLE classifiers ADD COLUMN threshold REAL;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = migrations.length;

/**
 * The app's own database (in the user's data folder): the log of jobs that need no project —
 * backbone downloads and imports, classifying into a file.
 */
export const appMigrations: readonly Migration[] = [{ version: 1, description: 'the job log of the app', sql: JOB_LOG }];

/** 'GRFT' as a 32-bit integer: marks a SQLite file as a Graft project (PRAGMA application_id). */
export const GRAFT_APPLICATION_ID = 0x47524654;
