-- CV Match schema. Idempotent: safe to apply on every start. Plain SQL that SQLite and PostgreSQL
-- both read; lists (requirements, skills) and results are JSON kept in TEXT columns.

CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    company TEXT,
    industry TEXT NOT NULL,
    language TEXT NOT NULL,
    location TEXT,
    description TEXT NOT NULL,
    requirements TEXT NOT NULL,          -- JSON list of strings
    required_skills TEXT NOT NULL,       -- JSON list of must-have skills: catalog names (seed/skills.yaml), alternatives as "Django | Flask"
    nice_to_have_skills TEXT NOT NULL DEFAULT '[]',  -- JSON list, the same form: listed in results, not counted as requirements
    min_experience_years REAL,
    education_level TEXT,                -- SMA, D3, S1, S2 or S3
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS jobs_by_industry ON jobs (industry);

-- One row per POST /api/match or POST /api/recommendations: written as 'queued' by the API, completed by the worker.
CREATE TABLE IF NOT EXISTS match_results (
    task_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL DEFAULT 'match',  -- match (one CV, one job) or recommendations (one CV, the best seeded jobs)
    job_id TEXT,                         -- NULL for an inline job
    job_title TEXT NOT NULL,             -- for recommendations: the jobs' filter ("all jobs", "industry IT")
    candidate_id TEXT NOT NULL,
    candidate_name TEXT NOT NULL,
    cv_sha256 TEXT NOT NULL,             -- the CV text itself is not stored
    status TEXT NOT NULL,                -- queued, done, failed
    grade TEXT,
    semantic_score REAL,
    keyword_score REAL,
    model_name TEXT,
    result_json TEXT,                    -- the full result, or the error for a failed match
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    finished_at TEXT
);
CREATE INDEX IF NOT EXISTS match_results_by_candidate ON match_results (candidate_id);
CREATE INDEX IF NOT EXISTS match_results_by_creation ON match_results (created_at);

-- The CV text of a single match, written by the worker only when KEEP_CV_TEXT is on (for audits).
-- Not served by the API; deleted with its match (DELETE /api/match/<task_id>, retention purge).
CREATE TABLE IF NOT EXISTS match_cv_texts (
    task_id TEXT PRIMARY KEY REFERENCES match_results (task_id) ON DELETE CASCADE,
    cv_text TEXT NOT NULL
);

-- HR batches: SQLite is their source of truth; Redis only carries the work.
CREATE TABLE IF NOT EXISTS batches (
    batch_id TEXT PRIMARY KEY,
    job_id TEXT,                         -- NULL for an inline job
    job_json TEXT NOT NULL,              -- the job as scored (a snapshot, so later edits do not change results)
    weights_json TEXT,                   -- the request's section weights (JSON); NULL: the settings' weights
    total INTEGER NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    started_at TEXT,                     -- when a worker first picked up one of its items
    finished_at TEXT                     -- when its last item was done or failed
);
CREATE INDEX IF NOT EXISTS batches_by_creation ON batches (created_at);

CREATE TABLE IF NOT EXISTS batch_items (
    batch_id TEXT NOT NULL REFERENCES batches (batch_id) ON DELETE CASCADE,
    item_index INTEGER NOT NULL,
    candidate_id TEXT NOT NULL,
    candidate_name TEXT NOT NULL,
    cv_text TEXT,                        -- kept only until the item is scored (unless KEEP_CV_TEXT)
    cv_sha256 TEXT NOT NULL,
    status TEXT NOT NULL,                -- pending, done, failed
    task_id TEXT,                        -- the queued task that should score it (re-enqueued if Redis lost it)
    semantic_score REAL,
    result_json TEXT,
    error_code TEXT,
    error_message TEXT,
    enqueued_at TEXT,
    finished_at TEXT,
    PRIMARY KEY (batch_id, item_index),
    UNIQUE (batch_id, candidate_id)
);
CREATE INDEX IF NOT EXISTS batch_items_by_status ON batch_items (status, enqueued_at);

-- Job embeddings shared by every worker process and host: a job is embedded once per model.
-- The key hashes the model's identity (not its name: see shared/engine/encoders.py) and the exact texts
-- embedded; model_name is for people; vectors are base64 float32 per section.
CREATE TABLE IF NOT EXISTS job_embeddings (
    cache_key TEXT PRIMARY KEY,
    model_name TEXT NOT NULL,
    vectors TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
