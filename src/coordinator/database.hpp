// The coordinator's SQLite storage: one RAII connection with the pragmas durability needs, a
// prepared-statement cache, typed bind/column helpers, transactions and schema migrations.
//
// Durability: the database runs in WAL mode with synchronous=NORMAL. A transaction's frames are
// written to the WAL file (write(2)) before COMMIT returns, so once COMMIT returns the data is in
// the operating system's page cache and survives the death of the process at any instant
// (SIGKILL included): the next open replays the WAL. NORMAL only skips the fsync on each commit,
// which matters for a power loss or kernel crash (the last transactions could roll back, the
// database stays consistent). synchronous=FULL adds that fsync and costs a disk flush per commit.
//
// Threading: a Database is one SQLite connection and is not thread-safe; use one per thread (WAL
// lets readers run beside the one writer; busy_timeout makes writers wait for each other instead
// of failing at once).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace provernet::coordinator {

// "<what failed> (SQL: <statement>): <SQLite's message> [code N]"
class DatabaseError : public std::runtime_error {
public:
    DatabaseError(const std::string& message, int code) : std::runtime_error(message), code_(code) {}
    // SQLite's extended result code (SQLITE_CONSTRAINT_UNIQUE, SQLITE_BUSY, ...).
    int code() const { return code_; }
    bool is_constraint_violation() const;
    bool is_busy() const;

private:
    int code_;
};

// A BLOB value for bind(); column_blob() returns bytes as std::vector<uint8_t>.
struct Blob {
    std::span<const uint8_t> bytes;
};

// A prepared statement borrowed from the Database's cache. Destroying it resets the statement
// and returns it to the cache. Indices: bind() counts from 1 (SQL's ?1), column() from 0.
class Statement {
public:
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&&) = delete;
    Statement(const Statement&) = delete;
    ~Statement();

    Statement& bind(int index, std::nullptr_t);
    Statement& bind(int index, int64_t value);
    Statement& bind(int index, int value) { return bind(index, int64_t{value}); }
    Statement& bind(int index, uint32_t value) { return bind(index, int64_t{value}); }
    // Throws if the value does not fit in SQLite's signed 64-bit integer.
    Statement& bind(int index, uint64_t value);
    Statement& bind(int index, bool value) { return bind(index, int64_t{value ? 1 : 0}); }
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
    Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
    Statement& bind(int index, Blob blob);
    template <typename T>
    Statement& bind(int index, const std::optional<T>& value) {
        return value ? bind(index, *value) : bind(index, nullptr);
    }
    // bind_all(a, b, c) binds ?1 = a, ?2 = b, ?3 = c.
    template <typename... Args>
    Statement& bind_all(const Args&... args) {
        int index = 0;
        (bind(++index, args), ...);
        return *this;
    }

    // Runs one step: true when a row is available, false when the statement is done.
    bool step();
    // Steps until done (for INSERT/UPDATE/DELETE); returns the number of rows changed.
    int64_t run();
    void reset();

    int column_count() const;
    bool column_is_null(int index) const;
    int64_t column_int(int index) const;
    double column_double(int index) const;
    std::string column_text(int index) const;
    std::vector<uint8_t> column_blob(int index) const;
    // column<T>(i) for int64_t, int, uint64_t, bool, double, std::string, std::vector<uint8_t>
    // and std::optional of those (NULL -> nullopt).
    template <typename T>
    T column(int index) const;

    const std::string& sql() const { return sql_; }

private:
    friend class Database;
    Statement(class Database* db, sqlite3_stmt* stmt, std::string sql);
    [[noreturn]] void fail(const char* what, int rc) const;
    void check_bind(int rc, int index) const;

    class Database* db_;
    sqlite3_stmt* stmt_;
    std::string sql_;
};

namespace detail {
template <typename T>
struct is_optional : std::false_type {};
template <typename T>
struct is_optional<std::optional<T>> : std::true_type {};
}  // namespace detail

template <typename T>
T Statement::column(int index) const {
    if constexpr (detail::is_optional<T>::value) {
        if (column_is_null(index)) return std::nullopt;
        return column<typename T::value_type>(index);
    } else if constexpr (std::is_same_v<T, bool>) {
        return column_int(index) != 0;
    } else if constexpr (std::is_same_v<T, uint64_t>) {
        int64_t value = column_int(index);
        if (value < 0) fail("column value is negative where an unsigned integer is expected", 0);
        return static_cast<uint64_t>(value);
    } else if constexpr (std::is_integral_v<T>) {
        return static_cast<T>(column_int(index));
    } else if constexpr (std::is_floating_point_v<T>) {
        return column_double(index);
    } else if constexpr (std::is_same_v<T, std::string>) {
        return column_text(index);
    } else if constexpr (std::is_same_v<T, std::vector<uint8_t>>) {
        return column_blob(index);
    } else {
        static_assert(!sizeof(T), "unsupported column type");
    }
}

struct DatabaseOptions {
    // How long a writer waits for another connection's write lock before SQLITE_BUSY.
    std::chrono::milliseconds busy_timeout{5000};
    // Prepared statements kept per connection (least recently used ones are finalized).
    size_t statement_cache_size = 128;
    bool read_only = false;
    // synchronous=FULL instead of NORMAL: also durable across power loss, at the cost of an
    // fsync per commit (see the top of this file).
    bool full_sync = false;
    // The WAL size (pages) at which a commit folds the WAL into the database itself
    // (wal_autocheckpoint; SQLite's default 1,000, 0: never). An owner that calls
    // checkpoint_passive() from another connection and thread sets it high, as a bound on the
    // WAL only: that keeps a checkpoint's fsync off the commit path.
    int wal_autocheckpoint_pages = 1000;
};

class Database {
public:
    // Opens (creating unless read_only) the database at `path` (":memory:" for a private
    // in-memory one) and applies journal_mode=WAL, synchronous=NORMAL (FULL with full_sync),
    // foreign_keys=ON and busy_timeout. Throws DatabaseError naming the path.
    explicit Database(const std::string& path, DatabaseOptions options = {});
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // Runs one or more ;-separated statements without parameters.
    void execute(std::string_view sql);
    // A prepared statement from the cache (prepared on first use).
    Statement prepare(std::string_view sql);
    // Prepares, binds ?1..?N and runs to completion; returns the number of rows changed.
    template <typename... Args>
    int64_t run(std::string_view sql, const Args&... args) {
        return prepare(sql).bind_all(args...).run();
    }
    // The first row of a query as a tuple, or nullopt when it returns no row.
    template <typename... Columns, typename... Args>
    std::optional<std::tuple<Columns...>> query_row(std::string_view sql, const Args&... args) {
        Statement stmt = prepare(sql);
        stmt.bind_all(args...);
        if (!stmt.step()) return std::nullopt;
        return read_row<Columns...>(stmt, std::index_sequence_for<Columns...>{});
    }
    // A single value of the first row (nullopt: no row).
    template <typename T, typename... Args>
    std::optional<T> query_value(std::string_view sql, const Args&... args) {
        Statement stmt = prepare(sql);
        stmt.bind_all(args...);
        if (!stmt.step()) return std::nullopt;
        return stmt.column<T>(0);
    }

    // Runs fn() inside BEGIN IMMEDIATE ... COMMIT (the write lock is taken up front, so the
    // transaction never fails halfway with SQLITE_BUSY on upgrade). If fn throws, the
    // transaction is rolled back and the exception propagates. Nested calls use savepoints.
    template <typename Fn>
    auto transaction(Fn&& fn) -> decltype(fn()) {
        begin_transaction();
        try {
            if constexpr (std::is_void_v<decltype(fn())>) {
                fn();
                commit_transaction();
            } else {
                auto result = fn();
                commit_transaction();
                return result;
            }
        } catch (...) {
            rollback_transaction();
            throw;
        }
    }
    bool in_transaction() const;

    // Schema migrations: scripts[i] moves the schema from version i to i + 1 (PRAGMA
    // user_version). Applies the scripts past the current version in order, each in its own
    // transaction together with the version bump; returns the resulting version. Throws if the
    // database is newer than the scripts (a downgrade) or a script fails (naming its number).
    int migrate(std::span<const std::string_view> scripts);
    int migrate(std::initializer_list<std::string_view> scripts) {
        return migrate(std::span<const std::string_view>(scripts.begin(), scripts.size()));
    }
    int user_version();

    int64_t last_insert_rowid() const;
    int64_t changes() const;
    // "ok" for a sound database, otherwise SQLite's list of problems.
    std::string integrity_check();
    // Folds the WAL into the main database file (TRUNCATE mode).
    void checkpoint();
    // Copies what it can of the WAL into the database file without waiting for other
    // connections (PASSIVE mode); the WAL is reused once all of it is copied.
    void checkpoint_passive();

    const std::string& path() const { return path_; }
    sqlite3* handle() { return db_; }

private:
    friend class Statement;
    template <typename... Columns, size_t... I>
    static std::tuple<Columns...> read_row(const Statement& stmt, std::index_sequence<I...>) {
        return std::tuple<Columns...>{stmt.column<Columns>(static_cast<int>(I))...};
    }
    void begin_transaction();
    void commit_transaction();
    void rollback_transaction();
    void give_back(sqlite3_stmt* stmt, const std::string& sql);
    [[noreturn]] void fail(std::string_view what, std::string_view sql, int rc) const;

    sqlite3* db_ = nullptr;
    std::string path_;
    DatabaseOptions options_;
    int transaction_depth_ = 0;
    // Idle prepared statements by SQL text, least recently returned at the front of lru_.
    struct CachedStatement {
        std::string sql;
        sqlite3_stmt* stmt;
    };
    std::list<CachedStatement> lru_;
    std::unordered_multimap<std::string, std::list<CachedStatement>::iterator> idle_;
};

}  // namespace provernet::coordinator
