//! The local usage store: priced calls in one SQLite file, appended by `llmcost log` and read
//! back, streaming, by `llmcost export` (and `report` and `budget`).
//!
//! # Where
//!
//! `$XDG_DATA_HOME/llmcost/usage.sqlite3`, else `~/.local/share/llmcost/usage.sqlite3`,
//! unless `--store PATH` names another file.
//!
//! # Schema
//!
//! Versioned by `PRAGMA user_version` ([`SCHEMA_VERSION`]) and marked as ours by
//! `PRAGMA application_id` ([`APPLICATION_ID`], "llmc"); [`MIGRATIONS`] bring an older store up
//! to date when it is opened. Two tables: `appends` (one row per `llmcost log`: when, from
//! where, how many calls, their total) and `calls` (one row per priced call, every field of a
//! [`PricedRecord`]). Money is exact decimal text (`"0.00084"`), never a REAL: it reads back
//! through [`Usd::from_str`] to the femto-dollar. Token counts are INTEGERs (at most 10^15, so
//! they fit). Dates are `YYYY-MM-DD` text, which sorts as dates. Labels and warnings are JSON
//! text (`json_extract(tags, '$.phase')` works in the `sqlite3` shell). The tables are STRICT,
//! so SQLite itself refuses a value of the wrong type.
//!
//! # Durability and concurrency
//!
//! One append, whether one call or a whole file, is one transaction: the records are first
//! staged in a TEMP table (private to this connection, so reading a slow stdin holds no lock on
//! the store), then copied into `calls` by a single `BEGIN IMMEDIATE ... COMMIT`. A crash, a
//! full disk or any error before the commit leaves the store exactly as it was; nothing
//! committed before is ever rewritten. The store runs in WAL mode with `synchronous = FULL`
//! (a committed append survives a power cut) and a busy timeout, so processes appending at
//! once take turns for the short copy instead of failing, and readers never block writers.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use cost_core::{
    AppliedTier, Component, Components, Date, PricedRecord, Usage, Usd, UsdPerMtok, Warning,
};
use rusqlite::{params, Connection, ErrorCode, OpenFlags, Row, Statement, ToSql};

use crate::export::{write_date, write_decimal};

/// The schema this build writes and reads; stores with a lower version are migrated on open.
pub(crate) const SCHEMA_VERSION: i32 = 1;

/// `PRAGMA application_id` of an llmcost store: "llmc" in ASCII.
pub(crate) const APPLICATION_ID: i32 = 0x6c6c_6d63;

/// How long a writer waits for another process's append before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// `MIGRATIONS[v]` takes a store from schema version `v` to `v + 1`. Never edit one that has
/// shipped: add the next.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 0 -> 1: the first schema.
    "CREATE TABLE appends (
        id INTEGER PRIMARY KEY,
        logged_at INTEGER NOT NULL,          -- Unix seconds, UTC, when the append committed
        source TEXT NOT NULL,                -- 'flags', 'stdin' or the file's path
        llmcost_version TEXT NOT NULL,
        calls INTEGER NOT NULL,
        cost_usd TEXT NOT NULL               -- exact decimal dollars, the calls' sum
    ) STRICT;
    CREATE TABLE calls (
        id INTEGER PRIMARY KEY,
        append_id INTEGER NOT NULL REFERENCES appends(id),
        line INTEGER,                        -- the line in the source; NULL for flags
        at TEXT NOT NULL,                    -- YYYY-MM-DD, the day that picked the prices
        model TEXT NOT NULL,
        provider TEXT NOT NULL,
        batch INTEGER NOT NULL CHECK (batch IN (0, 1)),
        cost_usd TEXT NOT NULL,              -- exact decimal dollars
        input_tokens INTEGER NOT NULL,       -- the whole prompt, cache reads and writes included
        cache_read_tokens INTEGER NOT NULL,
        cache_write_5m_tokens INTEGER NOT NULL,
        cache_write_1h_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,      -- reasoning included
        reasoning_tokens INTEGER NOT NULL,
        cache_storage_token_hours INTEGER NOT NULL,
        input_priced_tokens INTEGER NOT NULL, -- per component: tokens priced, price, cost
        input_usd_per_mtok TEXT NOT NULL,
        input_usd TEXT NOT NULL,
        cache_write_5m_priced_tokens INTEGER NOT NULL,
        cache_write_5m_usd_per_mtok TEXT NOT NULL,
        cache_write_5m_usd TEXT NOT NULL,
        cache_write_1h_priced_tokens INTEGER NOT NULL,
        cache_write_1h_usd_per_mtok TEXT NOT NULL,
        cache_write_1h_usd TEXT NOT NULL,
        cache_read_priced_tokens INTEGER NOT NULL,
        cache_read_usd_per_mtok TEXT NOT NULL,
        cache_read_usd TEXT NOT NULL,
        output_priced_tokens INTEGER NOT NULL,
        output_usd_per_mtok TEXT NOT NULL,
        output_usd TEXT NOT NULL,
        cache_storage_priced_tokens INTEGER NOT NULL,
        cache_storage_usd_per_mtok TEXT NOT NULL,
        cache_storage_usd TEXT NOT NULL,
        tier_above_tokens INTEGER,           -- the long-context tier applied, if any
        tier_inclusive INTEGER,
        tier_prompt_tokens INTEGER,
        prices_from TEXT,                    -- YYYY-MM-DD, NULL for a model's first prices
        tags TEXT NOT NULL,                  -- JSON object of labels: phase, category, run, note ...
        warnings TEXT NOT NULL               -- JSON array of {kind, message}
    ) STRICT;
    CREATE INDEX calls_by_day ON calls(at);",
];

/// The columns of `calls` that hold a record, in the order [`record_values`] and
/// [`read_record`] use. `id` and `append_id` are the store's own.
const RECORD_COLUMNS: &[&str] = &[
    "line",
    "at",
    "model",
    "provider",
    "batch",
    "cost_usd",
    "input_tokens",
    "cache_read_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "output_tokens",
    "reasoning_tokens",
    "cache_storage_token_hours",
    "input_priced_tokens",
    "input_usd_per_mtok",
    "input_usd",
    "cache_write_5m_priced_tokens",
    "cache_write_5m_usd_per_mtok",
    "cache_write_5m_usd",
    "cache_write_1h_priced_tokens",
    "cache_write_1h_usd_per_mtok",
    "cache_write_1h_usd",
    "cache_read_priced_tokens",
    "cache_read_usd_per_mtok",
    "cache_read_usd",
    "output_priced_tokens",
    "output_usd_per_mtok",
    "output_usd",
    "cache_storage_priced_tokens",
    "cache_storage_usd_per_mtok",
    "cache_storage_usd",
    "tier_above_tokens",
    "tier_inclusive",
    "tier_prompt_tokens",
    "prices_from",
    "tags",
    "warnings",
];

/// The `--store` flag shared by the commands that use the store.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct StoreArgs {
    /// The usage store (SQLite). Default: $XDG_DATA_HOME/llmcost/usage.sqlite3, else
    /// ~/.local/share/llmcost/usage.sqlite3.
    #[arg(long = "store", value_name = "PATH")]
    path: Option<PathBuf>,
}

impl StoreArgs {
    /// The store named by `--store`, or the default one.
    ///
    /// # Errors
    ///
    /// As [`default_path`].
    pub(crate) fn path(&self) -> Result<PathBuf> {
        match &self.path {
            Some(path) => Ok(path.clone()),
            None => default_path(),
        }
    }
}

/// The store file used when `--store` is not given.
///
/// # Errors
///
/// When neither `XDG_DATA_HOME` nor `HOME` (`APPDATA` on Windows) is set.
pub(crate) fn default_path() -> Result<PathBuf> {
    let absolute = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let data = absolute("XDG_DATA_HOME")
        .or_else(|| absolute("HOME").map(|home| home.join(".local").join("share")))
        .or_else(|| absolute("APPDATA"))
        .ok_or_else(|| {
            anyhow!(
                "cannot find your data directory (HOME is not set); name a store with --store PATH"
            )
        })?;
    Ok(data.join("llmcost").join("usage.sqlite3"))
}

/// Which calls to read: by the day that picked their prices (`at`), both ends included.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Filter {
    /// The first day to include.
    pub(crate) since: Option<Date>,
    /// The last day to include.
    pub(crate) until: Option<Date>,
}

/// A call read back from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredCall {
    /// The call's row id: ascending in the order calls were stored.
    pub(crate) id: i64,
    /// When its append committed, in Unix seconds (UTC).
    pub(crate) logged_at: i64,
    /// The priced call, exactly as it was stored.
    pub(crate) record: PricedRecord,
}

/// What one committed append stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AppendSummary {
    /// Calls stored.
    pub(crate) calls: u64,
    /// Their total cost.
    pub(crate) cost_usd: Usd,
}

/// An open usage store.
pub(crate) struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens the store at `path`, creating it (and its directory) when missing, and migrates
    /// it to [`SCHEMA_VERSION`].
    ///
    /// # Errors
    ///
    /// When the file cannot be created or opened, is not an llmcost store (another SQLite
    /// database, or not a database at all), is damaged, or was written by a newer llmcost.
    pub(crate) fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the directory {}", dir.display()))?;
        }
        Store::connect(path, OpenFlags::SQLITE_OPEN_CREATE)
    }

    /// Opens an existing store for reading (migrating it when older).
    ///
    /// # Errors
    ///
    /// As [`Store::open`], and when there is no file at `path`.
    pub(crate) fn open_existing(path: &Path) -> Result<Store> {
        if !path.exists() {
            bail!(
                "there is no usage store at {} (`llmcost log` creates it)",
                path.display()
            );
        }
        Store::connect(path, OpenFlags::empty())
    }

    fn connect(path: &Path, extra: OpenFlags) -> Result<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | extra;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| explain(e, path))
            .with_context(|| format!("cannot open the usage store {}", path.display()))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store
            .configure()
            .and_then(|()| store.migrate())
            .map_err(|e| explain(e, path))
            .with_context(|| format!("cannot use the usage store {}", path.display()))?;
        Ok(store)
    }

    fn configure(&self) -> rusqlite::Result<()> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        // The first statement reads the file header: a file that is not a database fails here.
        // Switching to WAL needs a moment alone with the file; the busy timeout covers it.
        let _mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        // FULL: a committed append survives a power cut, at one fsync per append. The WAL
        // file shrinks back to 64 MiB after a large append is checkpointed.
        self.conn.execute_batch(
            "PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA journal_size_limit = 67108864;",
        )
    }

    fn migrate(&self) -> rusqlite::Result<()> {
        let (version, id) = self.version_and_id()?;
        if version == SCHEMA_VERSION && id == APPLICATION_ID {
            return Ok(());
        }
        check_not_newer(version)?;
        // Take the write lock, then look again: another process may have migrated meanwhile.
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let result = (|| {
            let (version, id) = self.version_and_id()?;
            check_not_newer(version)?;
            if version < 0 {
                return Err(not_ours());
            }
            if version == 0 {
                let tables: i64 =
                    self.conn
                        .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))?;
                if tables > 0 || (id != 0 && id != APPLICATION_ID) {
                    return Err(not_ours());
                }
            } else if id != APPLICATION_ID {
                return Err(not_ours());
            }
            for migration in MIGRATIONS.iter().skip(version as usize) {
                self.conn.execute_batch(migration)?;
            }
            self.conn.execute_batch(&format!(
                "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION};"
            ))?;
            self.conn.execute_batch("COMMIT")
        })();
        if result.is_err() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        result
    }

    fn version_and_id(&self) -> rusqlite::Result<(i32, i32)> {
        let version = self
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))?;
        let id = self
            .conn
            .query_row("PRAGMA application_id", [], |row| row.get(0))?;
        if version != 0 && id != APPLICATION_ID {
            return Err(not_ours());
        }
        Ok((version, id))
    }

    /// The file this store lives in.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open store (after migration: [`SCHEMA_VERSION`]).
    #[allow(dead_code)] // For `report` and diagnostics; used by the tests today.
    pub(crate) fn schema_version(&self) -> Result<i32> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))?)
    }

    /// Starts an append from `source` (`flags`, `stdin` or a path). Nothing is visible in the
    /// store until [`Append::commit`]; dropping the append instead stores nothing.
    ///
    /// # Errors
    ///
    /// When the staging table cannot be made (a full temporary directory, say).
    pub(crate) fn append(&mut self, source: &str) -> Result<Append<'_>> {
        let columns = RECORD_COLUMNS.join(", ");
        let placeholders = (1..=RECORD_COLUMNS.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let conn = &self.conn;
        let staged = (|| {
            conn.execute_batch(&format!(
                "CREATE TEMP TABLE IF NOT EXISTS staged_calls AS
                     SELECT {columns} FROM main.calls WHERE 0;
                 DELETE FROM temp.staged_calls;
                 BEGIN;"
            ))?;
            conn.prepare(&format!(
                "INSERT INTO temp.staged_calls ({columns}) VALUES ({placeholders})"
            ))
        })()
        .map_err(|e| explain(e, &self.path))
        .context("cannot start the append")?;
        Ok(Append {
            conn,
            path: &self.path,
            insert: staged,
            scratch: Vec::with_capacity(256),
            source: source.to_string(),
            calls: 0,
            cost_usd: Usd::ZERO,
        })
    }

    /// Calls every stored call that passes `filter` to `each`, in the order they were stored,
    /// one row at a time (the store is never loaded whole). Returns how many were read.
    ///
    /// # Errors
    ///
    /// A store that cannot be read, a row that does not decode (naming its id), or the first
    /// error `each` returns.
    pub(crate) fn for_each_call(
        &self,
        filter: &Filter,
        mut each: impl FnMut(StoredCall) -> Result<()>,
    ) -> Result<u64> {
        let columns = RECORD_COLUMNS
            .iter()
            .map(|c| format!("c.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let since = filter.since.map_or_else(String::new, |d| d.to_string());
        let until = filter
            .until
            .map_or_else(|| "~".to_string(), |d| d.to_string());
        let fail = |e: anyhow::Error| {
            e.context(format!(
                "cannot read the usage store {}",
                self.path.display()
            ))
        };
        let sql = |e: rusqlite::Error| fail(explain(e, &self.path));
        let mut statement = self
            .conn
            .prepare(&format!(
                "SELECT c.id, a.logged_at, {columns}
                 FROM calls c JOIN appends a ON a.id = c.append_id
                 WHERE c.at >= ?1 AND c.at <= ?2
                 ORDER BY c.id"
            ))
            .map_err(sql)?;
        let mut rows = statement.query(params![since, until]).map_err(sql)?;
        let mut count = 0;
        while let Some(row) = rows.next().map_err(sql)? {
            let decoded = (|| -> Result<StoredCall> {
                let id: i64 = row.get(0)?;
                Ok(StoredCall {
                    id,
                    logged_at: row.get(1)?,
                    record: read_record(row, 2)
                        .with_context(|| format!("call {id} does not decode"))?,
                })
            })();
            // Errors of `each` (a closed pipe, say) pass through as they are.
            each(decoded.map_err(fail)?)?;
            count += 1;
        }
        Ok(count)
    }
}

/// An append in progress: records staged, not yet in the store.
pub(crate) struct Append<'s> {
    conn: &'s Connection,
    path: &'s Path,
    insert: Statement<'s>,
    scratch: Vec<u8>,
    source: String,
    calls: u64,
    cost_usd: Usd,
}

impl Append<'_> {
    /// Stages one priced call; `line` is its line in the source, if it came from one.
    ///
    /// # Errors
    ///
    /// When the staging table cannot be written (a full temporary directory).
    pub(crate) fn push(&mut self, line: Option<u64>, record: &PricedRecord) -> Result<()> {
        bind_record(&mut self.insert, &mut self.scratch, line, record)
            .and_then(|()| self.insert.raw_execute())
            .map_err(|e| explain(e, self.path))
            .context("cannot stage the call")?;
        self.calls += 1;
        self.cost_usd += record.cost_usd;
        Ok(())
    }

    /// Calls staged so far.
    pub(crate) fn calls(&self) -> u64 {
        self.calls
    }

    /// Stores every staged call in one transaction, stamped `logged_at` (Unix seconds).
    ///
    /// # Errors
    ///
    /// When the transaction fails (the store is locked for longer than the busy timeout,
    /// the disk is full, the file is read-only): it is rolled back and nothing of this
    /// append is stored.
    pub(crate) fn commit(self, logged_at: i64) -> Result<AppendSummary> {
        let conn = self.conn;
        let columns = RECORD_COLUMNS.join(", ");
        let result = (|| {
            conn.execute_batch("COMMIT; BEGIN IMMEDIATE;")?;
            conn.execute(
                "INSERT INTO appends (logged_at, source, llmcost_version, calls, cost_usd)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    logged_at,
                    self.source,
                    env!("CARGO_PKG_VERSION"),
                    to_sql_int(self.calls),
                    self.cost_usd.to_decimal_string()
                ],
            )?;
            let append_id = conn.last_insert_rowid();
            conn.execute(
                &format!(
                    "INSERT INTO main.calls (append_id, {columns})
                     SELECT ?1, {columns} FROM temp.staged_calls ORDER BY rowid"
                ),
                [append_id],
            )?;
            conn.execute_batch("COMMIT")
        })();
        if let Err(error) = result {
            if !conn.is_autocommit() {
                let _ = conn.execute_batch("ROLLBACK");
            }
            return Err(explain(error, self.path)).context("the append was rolled back");
        }
        Ok(AppendSummary {
            calls: self.calls,
            cost_usd: self.cost_usd,
        })
    }
}

impl Drop for Append<'_> {
    fn drop(&mut self) {
        // Uncommitted (an error, or nothing to store): leave no staged rows behind.
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        let _ = self.conn.execute_batch("DELETE FROM temp.staged_calls");
    }
}

fn to_sql_int(n: u64) -> i64 {
    // Counts are at most 10^15 (cost-core's MAX_TOKENS) and appends far below i64::MAX.
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Binds `r` to the parameters of `statement`, in [`RECORD_COLUMNS`] order. Text is formatted
/// into `scratch` and copied by SQLite, so a record costs no allocation.
fn bind_record(
    statement: &mut Statement<'_>,
    scratch: &mut Vec<u8>,
    line: Option<u64>,
    r: &PricedRecord,
) -> rusqlite::Result<()> {
    fn text(scratch: &mut Vec<u8>, write: impl FnOnce(&mut Vec<u8>)) -> &str {
        scratch.clear();
        // Every writer here writes UTF-8.
        write(scratch);
        std::str::from_utf8(scratch).unwrap_or_default()
    }
    let mut index = 0;
    let mut bind = |value: &dyn ToSql| {
        index += 1;
        statement.raw_bind_parameter(index, value)
    };
    let int = |n: u64| to_sql_int(n);
    let u = &r.usage;
    bind(&line.map(int))?;
    bind(&text(scratch, |s| write_date(s, r.at)))?;
    bind(&r.model)?;
    bind(&r.provider)?;
    bind(&i64::from(r.batch))?;
    bind(&text(scratch, |s| {
        write_decimal::<15>(s, r.cost_usd.femto())
    }))?;
    for n in [
        u.input_tokens,
        u.cache_read_tokens,
        u.cache_write_5m_tokens,
        u.cache_write_1h_tokens,
        u.output_tokens,
        u.reasoning_tokens,
        u.cache_storage_token_hours,
    ] {
        bind(&int(n))?;
    }
    for (_, c) in r.components.named() {
        bind(&int(c.tokens))?;
        bind(&text(scratch, |s| {
            write_decimal::<9>(s, i128::from(c.usd_per_mtok.nano()));
        }))?;
        bind(&text(scratch, |s| write_decimal::<15>(s, c.usd.femto())))?;
    }
    bind(&r.tier.map(|t| int(t.above_tokens)))?;
    bind(&r.tier.map(|t| i64::from(t.inclusive)))?;
    bind(&r.tier.map(|t| int(t.prompt_tokens)))?;
    match r.prices_from {
        Some(day) => bind(&text(scratch, |s| write_date(s, day)))?,
        None => bind(&rusqlite::types::Null)?,
    }
    // Writing JSON to a Vec cannot fail.
    bind(&text(scratch, |s| {
        let _ = serde_json::to_writer(&mut *s, &r.tags);
    }))?;
    bind(&text(scratch, |s| {
        let _ = serde_json::to_writer(&mut *s, &r.warnings);
    }))?;
    debug_assert_eq!(index, RECORD_COLUMNS.len());
    Ok(())
}

/// Decodes the record columns of `row`, starting at column `start`.
fn read_record(row: &Row<'_>, start: usize) -> Result<PricedRecord> {
    let mut columns = RECORD_COLUMNS.iter().enumerate();
    let mut next = || {
        let (i, name) = columns.next().expect("one column per field");
        (start + i, *name)
    };
    let count = |(i, name): (usize, &str)| -> Result<u64> {
        let n: i64 = row.get(i)?;
        u64::try_from(n).map_err(|_| anyhow!("{name}: negative count {n}"))
    };
    let text = |(i, _): (usize, &str)| -> Result<String> { Ok(row.get(i)?) };
    // Borrowed from SQLite's row buffer: no allocation for the many decimal columns.
    let str_ref = |i: usize| -> Result<&str> { Ok(row.get_ref(i)?.as_str()?) };
    fn decode<T: FromStr<Err = String>>(name: &str, text: &str) -> Result<T> {
        text.parse().map_err(|e| anyhow!("{name}: {e}"))
    }
    let money = |(i, name): (usize, &str)| -> Result<Usd> { decode(name, str_ref(i)?) };
    let price = |(i, name): (usize, &str)| -> Result<UsdPerMtok> { decode(name, str_ref(i)?) };

    let _line = next();
    let at_column = next();
    let at: Date = decode(at_column.1, str_ref(at_column.0)?)?;
    let model = text(next())?;
    let provider = text(next())?;
    let batch = count(next())? != 0;
    let cost_usd = money(next())?;
    let usage = Usage {
        input_tokens: count(next())?,
        cache_read_tokens: count(next())?,
        cache_write_5m_tokens: count(next())?,
        cache_write_1h_tokens: count(next())?,
        output_tokens: count(next())?,
        reasoning_tokens: count(next())?,
        cache_storage_token_hours: count(next())?,
    };
    let mut component = || -> Result<Component> {
        Ok(Component {
            tokens: count(next())?,
            usd_per_mtok: price(next())?,
            usd: money(next())?,
        })
    };
    let components = Components {
        input: component()?,
        cache_write_5m: component()?,
        cache_write_1h: component()?,
        cache_read: component()?,
        output: component()?,
        cache_storage: component()?,
    };
    let above: Option<i64> = row.get(next().0)?;
    let inclusive: Option<i64> = row.get(next().0)?;
    let prompt: Option<i64> = row.get(next().0)?;
    let tier = match (above, inclusive, prompt) {
        (Some(above), Some(inclusive), Some(prompt)) => Some(AppliedTier {
            above_tokens: u64::try_from(above)?,
            inclusive: inclusive != 0,
            prompt_tokens: u64::try_from(prompt)?,
        }),
        (None, None, None) => None,
        _ => bail!("tier: some of its three columns are NULL"),
    };
    let prices_from_column = next();
    let prices_from = match row.get_ref(prices_from_column.0)?.as_str_or_null()? {
        Some(text) => Some(decode::<Date>(prices_from_column.1, text)?),
        None => None,
    };
    let tags_text = str_ref(next().0)?;
    let tags = if tags_text == "{}" {
        Default::default()
    } else {
        serde_json::from_str(tags_text).context("tags")?
    };
    let warnings_text = str_ref(next().0)?;
    let warnings: Vec<Warning> = if warnings_text == "[]" {
        Vec::new()
    } else {
        serde_json::from_str(warnings_text).context("warnings")?
    };
    Ok(PricedRecord {
        model,
        provider,
        cost_usd,
        components,
        tier,
        batch,
        at,
        prices_from,
        usage,
        tags,
        warnings,
    })
}

fn invalid(message: String) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_MISMATCH),
        Some(message),
    )
}

fn check_not_newer(version: i32) -> rusqlite::Result<()> {
    if version > SCHEMA_VERSION {
        return Err(invalid(format!(
            "it has schema version {version}, newer than the {SCHEMA_VERSION} this llmcost \
             knows; use a newer llmcost"
        )));
    }
    Ok(())
}

fn not_ours() -> rusqlite::Error {
    invalid("it is a SQLite database, but not an llmcost usage store".into())
}

/// Turns SQLite's terse codes into what happened to the user's file.
fn explain(error: rusqlite::Error, path: &Path) -> anyhow::Error {
    let code = error.sqlite_error_code();
    let message = match code {
        Some(ErrorCode::NotADatabase) => {
            "it is not an llmcost usage store (the file is not a SQLite database)".to_string()
        }
        Some(ErrorCode::DatabaseCorrupt) => format!(
            "the file is damaged ({error}); move it aside to start a new store, or restore a copy"
        ),
        Some(ErrorCode::DiskFull) => "the disk is full".to_string(),
        Some(ErrorCode::ReadOnly) => format!("{} is read-only", path.display()),
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => format!(
            "another process held the store for more than {} s",
            BUSY_TIMEOUT.as_secs()
        ),
        Some(ErrorCode::CannotOpen) => format!("{error}"),
        _ => match &error {
            rusqlite::Error::SqliteFailure(_, Some(message)) => message.clone(),
            other => other.to_string(),
        },
    };
    anyhow!(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_columns_are_the_schema_less_the_store_own_columns() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        let mut statement = conn
            .prepare("SELECT name FROM pragma_table_info('calls')")
            .unwrap();
        let names: Vec<String> = statement
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(names[..2], ["id", "append_id"]);
        assert_eq!(names[2..], *RECORD_COLUMNS);
    }

    #[test]
    fn records_read_back_exactly_as_they_were_stored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/dir/usage.sqlite3");
        let records = crate::export::tests::records();
        let mut store = Store::open(&path).unwrap();
        let mut append = store.append("test").unwrap();
        for (i, record) in records.iter().enumerate() {
            append.push(Some(i as u64 + 1), record).unwrap();
        }
        let summary = append.commit(1_795_435_199).unwrap();
        assert_eq!(summary.calls, records.len() as u64);
        assert_eq!(
            summary.cost_usd,
            records.iter().map(|r| r.cost_usd).sum::<Usd>()
        );
        let mut read = Vec::new();
        let count = store
            .for_each_call(&Filter::default(), |call| {
                assert_eq!(call.logged_at, 1_795_435_199);
                read.push(call.record);
                Ok(())
            })
            .unwrap();
        assert_eq!(count, records.len() as u64);
        assert_eq!(read, records);
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn a_dropped_append_stores_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("usage.sqlite3")).unwrap();
        let records = crate::export::tests::records();
        let mut append = store.append("test").unwrap();
        append.push(None, &records[0]).unwrap();
        drop(append);
        let mut append = store.append("test").unwrap();
        append.push(None, &records[1]).unwrap();
        append.commit(0).unwrap();
        let mut models = Vec::new();
        store
            .for_each_call(&Filter::default(), |call| {
                models.push(call.record.model);
                Ok(())
            })
            .unwrap();
        assert_eq!(models, [records[1].model.clone()]);
    }
}
