#include "coordinator/database.hpp"

#include <algorithm>

#include <sqlite3.h>

#include <limits>

namespace provernet::coordinator {

namespace {

std::string describe(sqlite3* db, int rc) {
    // sqlite3_errmsg describes the most recent failure on the connection; fall back to the
    // generic text of the code when the connection could not be opened at all.
    const char* message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    return std::string(message) + " [code " + std::to_string(rc) + "]";
}

std::string quoted_sql(std::string_view sql) {
    constexpr size_t max_shown = 200;
    std::string shown(sql.substr(0, max_shown));
    if (sql.size() > max_shown) shown += "...";
    return "\"" + shown + "\"";
}

}  // namespace

bool DatabaseError::is_constraint_violation() const { return (code_ & 0xff) == SQLITE_CONSTRAINT; }
bool DatabaseError::is_busy() const {
    return (code_ & 0xff) == SQLITE_BUSY || (code_ & 0xff) == SQLITE_LOCKED;
}

// --- Statement ---

Statement::Statement(Database* db, sqlite3_stmt* stmt, std::string sql)
    : db_(db), stmt_(stmt), sql_(std::move(sql)) {}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), sql_(std::move(other.sql_)) {
    other.stmt_ = nullptr;
}

Statement::~Statement() {
    if (stmt_) db_->give_back(stmt_, sql_);
}

void Statement::fail(const char* what, int rc) const { db_->fail(what, sql_, rc); }

void Statement::check_bind(int rc, int index) const {
    if (rc != SQLITE_OK) {
        db_->fail("binding parameter " + std::to_string(index), sql_, rc);
    }
}

Statement& Statement::bind(int index, std::nullptr_t) {
    check_bind(sqlite3_bind_null(stmt_, index), index);
    return *this;
}

Statement& Statement::bind(int index, int64_t value) {
    check_bind(sqlite3_bind_int64(stmt_, index, value), index);
    return *this;
}

Statement& Statement::bind(int index, uint64_t value) {
    if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        throw DatabaseError("binding parameter " + std::to_string(index) + " (SQL: " +
                                quoted_sql(sql_) + "): " + std::to_string(value) +
                                " does not fit in SQLite's signed 64-bit integer",
                            SQLITE_RANGE);
    }
    return bind(index, static_cast<int64_t>(value));
}

Statement& Statement::bind(int index, double value) {
    check_bind(sqlite3_bind_double(stmt_, index, value), index);
    return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
    check_bind(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                                   SQLITE_UTF8),
               index);
    return *this;
}

Statement& Statement::bind(int index, Blob blob) {
    // A zero-length blob must still be a blob, not NULL: bind_zeroblob for that case.
    int rc = blob.bytes.empty()
                 ? sqlite3_bind_zeroblob(stmt_, index, 0)
                 : sqlite3_bind_blob64(stmt_, index, blob.bytes.data(), blob.bytes.size(),
                                       SQLITE_TRANSIENT);
    check_bind(rc, index);
    return *this;
}

bool Statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    // Reset so that the statement can be reused; the error is reported from the step's code.
    sqlite3_reset(stmt_);
    fail("executing", rc);
}

int64_t Statement::run() {
    while (step()) {
    }
    return sqlite3_changes64(db_->db_);
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

int Statement::column_count() const { return sqlite3_column_count(stmt_); }
bool Statement::column_is_null(int index) const {
    return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}
int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }
double Statement::column_double(int index) const { return sqlite3_column_double(stmt_, index); }

std::string Statement::column_text(int index) const {
    auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
    int size = sqlite3_column_bytes(stmt_, index);
    return text ? std::string(text, static_cast<size_t>(size)) : std::string();
}

std::vector<uint8_t> Statement::column_blob(int index) const {
    auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, index));
    int size = sqlite3_column_bytes(stmt_, index);
    return data ? std::vector<uint8_t>(data, data + size) : std::vector<uint8_t>();
}

// --- Database ---

Database::Database(const std::string& path, DatabaseOptions options)
    : path_(path), options_(options) {
    int flags = options.read_only ? SQLITE_OPEN_READONLY
                                  : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    // NOMUTEX: the connection is used by one thread at a time (documented), so SQLite's
    // per-connection mutex is pure overhead.
    flags |= SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = "cannot open database \"" + path + "\": " + describe(db_, rc);
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw DatabaseError(message, rc);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, static_cast<int>(options.busy_timeout.count()));
    try {
        if (!options.read_only) {
            auto mode = query_value<std::string>("PRAGMA journal_mode=WAL");
            // In-memory databases cannot use a WAL and report "memory".
            if (mode != "wal" && mode != "memory") {
                throw DatabaseError("cannot switch database \"" + path +
                                        "\" to WAL mode (journal_mode is " + mode.value_or("?") + ")",
                                    SQLITE_ERROR);
            }
        }
        execute(options.full_sync ? "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                                  : "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
        execute("PRAGMA wal_autocheckpoint=" + std::to_string(std::max(0, options.wal_autocheckpoint_pages)));
    } catch (...) {
        idle_.clear();
        for (auto& cached : lru_) sqlite3_finalize(cached.stmt);
        sqlite3_close_v2(db_);
        throw;
    }
}

Database::~Database() {
    for (auto& cached : lru_) sqlite3_finalize(cached.stmt);
    // close_v2 defers the close until statements still borrowed (a bug in the caller) are
    // finalized instead of failing.
    sqlite3_close_v2(db_);
}

void Database::fail(std::string_view what, std::string_view sql, int rc) const {
    throw DatabaseError(std::string(what) + " (SQL: " + quoted_sql(sql) + ") in \"" + path_ +
                            "\": " + describe(db_, rc),
                        rc);
}

void Database::execute(std::string_view sql) {
    std::string text(sql);
    char* error = nullptr;
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
        std::string message = error ? error : sqlite3_errstr(rc);
        sqlite3_free(error);
        throw DatabaseError("executing (SQL: " + quoted_sql(sql) + ") in \"" + path_ +
                                "\": " + message + " [code " +
                                std::to_string(sqlite3_extended_errcode(db_)) + "]",
                            sqlite3_extended_errcode(db_));
    }
}

Statement Database::prepare(std::string_view sql) {
    std::string key(sql);
    if (auto it = idle_.find(key); it != idle_.end()) {
        sqlite3_stmt* stmt = it->second->stmt;
        lru_.erase(it->second);
        idle_.erase(it);
        return Statement(this, stmt, std::move(key));
    }
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    if (rc != SQLITE_OK) fail("preparing", sql, rc);
    if (!stmt) fail("preparing (the SQL has no statement)", sql, SQLITE_MISUSE);
    // A second statement after the first would be silently ignored by step(): refuse it.
    for (const char* p = tail; p && *p; ++p) {
        if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r' && *p != ';') {
            sqlite3_finalize(stmt);
            throw DatabaseError("preparing (SQL: " + quoted_sql(sql) +
                                    "): more than one statement; use execute() for scripts",
                                SQLITE_MISUSE);
        }
    }
    return Statement(this, stmt, std::move(key));
}

void Database::give_back(sqlite3_stmt* stmt, const std::string& sql) {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (options_.statement_cache_size == 0) {
        sqlite3_finalize(stmt);
        return;
    }
    lru_.push_back({sql, stmt});
    idle_.emplace(sql, std::prev(lru_.end()));
    while (lru_.size() > options_.statement_cache_size) {
        auto oldest = lru_.begin();
        auto range = idle_.equal_range(oldest->sql);
        for (auto it = range.first; it != range.second; ++it) {
            if (it->second == oldest) {
                idle_.erase(it);
                break;
            }
        }
        sqlite3_finalize(oldest->stmt);
        lru_.erase(oldest);
    }
}

bool Database::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

void Database::begin_transaction() {
    if (transaction_depth_ == 0) {
        prepare("BEGIN IMMEDIATE").run();
    } else {
        execute("SAVEPOINT nested_" + std::to_string(transaction_depth_));
    }
    ++transaction_depth_;
}

void Database::commit_transaction() {
    if (transaction_depth_ == 1) {
        prepare("COMMIT").run();
    } else {
        execute("RELEASE nested_" + std::to_string(transaction_depth_ - 1));
    }
    --transaction_depth_;
}

void Database::rollback_transaction() {
    --transaction_depth_;
    // Some errors (SQLITE_FULL, SQLITE_IOERR, ...) make SQLite roll back by itself; a second
    // ROLLBACK would then fail with "no transaction is active", so errors here are ignored: the
    // caller is already propagating the original exception.
    if (transaction_depth_ == 0) {
        if (in_transaction()) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    } else {
        std::string name = "nested_" + std::to_string(transaction_depth_);
        std::string sql = "ROLLBACK TO " + name + "; RELEASE " + name;
        sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
    }
}

int Database::user_version() { return static_cast<int>(*query_value<int64_t>("PRAGMA user_version")); }

int Database::migrate(std::span<const std::string_view> scripts) {
    const int target = static_cast<int>(scripts.size());
    for (;;) {
        // Read the version inside the transaction so two processes migrating at once cannot
        // both apply the same script.
        bool applied = transaction([&] {
            int version = user_version();
            if (version > target) {
                throw DatabaseError("database \"" + path_ + "\" has schema version " +
                                        std::to_string(version) + " but this program knows only " +
                                        std::to_string(target) + " (refusing to downgrade)",
                                    SQLITE_ERROR);
            }
            if (version == target) return false;
            try {
                execute(scripts[static_cast<size_t>(version)]);
            } catch (const DatabaseError& e) {
                throw DatabaseError("migration " + std::to_string(version + 1) + " of " +
                                        std::to_string(target) + " failed: " + e.what(),
                                    e.code());
            }
            execute("PRAGMA user_version=" + std::to_string(version + 1));
            return true;
        });
        if (!applied) return target;
    }
}

int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int64_t Database::changes() const { return sqlite3_changes64(db_); }

std::string Database::integrity_check() {
    Statement stmt = prepare("PRAGMA integrity_check");
    std::string result;
    while (stmt.step()) {
        if (!result.empty()) result += "\n";
        result += stmt.column_text(0);
    }
    return result;
}

void Database::checkpoint_passive() {
    int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) fail("checkpointing the WAL", "PRAGMA wal_checkpoint(PASSIVE)", rc);
}

void Database::checkpoint() {
    int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    if (rc != SQLITE_OK) fail("checkpointing the WAL", "PRAGMA wal_checkpoint(TRUNCATE)", rc);
}

}  // namespace provernet::coordinator
