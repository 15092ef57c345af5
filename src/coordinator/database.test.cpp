#include "coordinator/database.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

namespace provernet::coordinator {
namespace {

namespace fs = std::filesystem;

// A fresh directory for one test's database files, removed afterwards.
class TempDir {
public:
    TempDir() {
        static std::atomic<int> counter{0};
        path_ = fs::temp_directory_path() /
                ("provernet-db-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    fs::path path_;
};

TEST(Database, OpensWithWalNormalSyncForeignKeysAndBusyTimeout) {
    TempDir dir;
    Database db(dir.file("a.db"));
    EXPECT_EQ(db.query_value<std::string>("PRAGMA journal_mode"), "wal");
    EXPECT_EQ(db.query_value<int64_t>("PRAGMA synchronous"), 1);  // NORMAL
    EXPECT_EQ(db.query_value<int64_t>("PRAGMA foreign_keys"), 1);
    EXPECT_EQ(db.query_value<int64_t>("PRAGMA busy_timeout"), 5000);

    Database full(dir.file("b.db"), {.full_sync = true});
    EXPECT_EQ(full.query_value<int64_t>("PRAGMA synchronous"), 2);  // FULL
}

TEST(Database, OpenFailureNamesThePath) {
    try {
        Database db("/nonexistent-dir/provernet/x.db");
        FAIL() << "opening a database in a missing directory must fail";
    } catch (const DatabaseError& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/provernet/x.db"), std::string::npos) << e.what();
    }
}

TEST(Database, MigrationsApplyOnceInOrder) {
    TempDir dir;
    const std::string path = dir.file("m.db");
    const std::string_view v1 = "CREATE TABLE log(id INTEGER PRIMARY KEY, note TEXT NOT NULL);"
                                "INSERT INTO log(note) VALUES ('v1');";
    const std::string_view v2 = "ALTER TABLE log ADD COLUMN extra INTEGER; INSERT INTO log(note) VALUES ('v2');";
    const std::string_view v3 = "INSERT INTO log(note) VALUES ('v3');";
    {
        Database db(path);
        EXPECT_EQ(db.user_version(), 0);
        EXPECT_EQ(db.migrate({v1, v2}), 2);
        EXPECT_EQ(db.user_version(), 2);
        EXPECT_EQ(db.migrate({v1, v2}), 2);  // nothing to do
        EXPECT_EQ(db.query_value<int64_t>("SELECT COUNT(*) FROM log"), 2);
    }
    {
        Database db(path);  // reopened: still version 2, scripts not applied again
        EXPECT_EQ(db.migrate({v1, v2}), 2);
        EXPECT_EQ(db.query_value<int64_t>("SELECT COUNT(*) FROM log"), 2);
        EXPECT_EQ(db.migrate({v1, v2, v3}), 3);  // only the new script runs
        std::vector<std::string> notes;
        auto stmt = db.prepare("SELECT note FROM log ORDER BY id");
        while (stmt.step()) notes.push_back(stmt.column<std::string>(0));
        EXPECT_EQ(notes, (std::vector<std::string>{"v1", "v2", "v3"}));
    }
}

TEST(Database, FailedMigrationRollsBackAndNamesTheScript) {
    TempDir dir;
    Database db(dir.file("m.db"));
    const std::string_view v1 = "CREATE TABLE t(x INTEGER);";
    const std::string_view bad = "INSERT INTO t VALUES (1); INSERT INTO missing_table VALUES (2);";
    try {
        db.migrate({v1, bad});
        FAIL() << "a failing migration must throw";
    } catch (const DatabaseError& e) {
        std::string message = e.what();
        EXPECT_NE(message.find("migration 2 of 2"), std::string::npos) << message;
        EXPECT_NE(message.find("no such table: missing_table"), std::string::npos) << message;
    }
    EXPECT_EQ(db.user_version(), 1);  // script 1 committed, script 2 rolled back entirely
    EXPECT_EQ(db.query_value<int64_t>("SELECT COUNT(*) FROM t"), 0);
    EXPECT_FALSE(db.in_transaction());
}

TEST(Database, RefusesToDowngrade) {
    TempDir dir;
    Database db(dir.file("m.db"));
    db.migrate({"CREATE TABLE a(x);", "CREATE TABLE b(x);"});
    try {
        db.migrate({"CREATE TABLE a(x);"});
        FAIL() << "an older program must not run on a newer schema";
    } catch (const DatabaseError& e) {
        EXPECT_NE(std::string(e.what()).find("schema version 2 but this program knows only 1"), std::string::npos)
            << e.what();
    }
}

TEST(Database, TransactionRollsBackOnException) {
    TempDir dir;
    Database db(dir.file("t.db"));
    db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
    EXPECT_THROW(db.transaction([&] {
        db.run("INSERT INTO t(id, v) VALUES (?1, ?2)", 1, "one");
        db.run("INSERT INTO t(id, v) VALUES (?1, ?2)", 2, "two");
        EXPECT_TRUE(db.in_transaction());
        throw std::runtime_error("abort");
    }),
                 std::runtime_error);
    EXPECT_FALSE(db.in_transaction());
    EXPECT_EQ(db.query_value<int64_t>("SELECT COUNT(*) FROM t"), 0);

    // A constraint violation inside the transaction rolls back the earlier statements too.
    db.run("INSERT INTO t(id, v) VALUES (?1, ?2)", 10, "ten");
    EXPECT_THROW(db.transaction([&] {
        db.run("INSERT INTO t(id, v) VALUES (?1, ?2)", 11, "eleven");
        db.run("INSERT INTO t(id, v) VALUES (?1, ?2)", 10, "duplicate");
    }),
                 DatabaseError);
    EXPECT_EQ(db.query_value<int64_t>("SELECT COUNT(*) FROM t"), 1);

    // Committed work and return values.
    int64_t id = db.transaction([&] {
        db.run("INSERT INTO t(v) VALUES (?1)", "auto");
        return db.last_insert_rowid();
    });
    EXPECT_EQ(db.query_value<std::string>("SELECT v FROM t WHERE id = ?1", id), "auto");
}

TEST(Database, NestedTransactionRollsBackOnlyItsSavepoint) {
    TempDir dir;
    Database db(dir.file("t.db"));
    db.execute("CREATE TABLE t(v TEXT)");
    db.transaction([&] {
        db.run("INSERT INTO t VALUES ('outer')");
        EXPECT_THROW(db.transaction([&] {
            db.run("INSERT INTO t VALUES ('inner')");
            throw std::runtime_error("inner fails");
        }),
                     std::runtime_error);
        db.transaction([&] { db.run("INSERT INTO t VALUES ('inner ok')"); });
    });
    std::vector<std::string> values;
    auto stmt = db.prepare("SELECT v FROM t ORDER BY rowid");
    while (stmt.step()) values.push_back(stmt.column_text(0));
    EXPECT_EQ(values, (std::vector<std::string>{"outer", "inner ok"}));
}

TEST(Database, TypedBindAndColumnRoundTrip) {
    Database db(":memory:");
    db.execute("CREATE TABLE v(i INTEGER, u INTEGER, d REAL, s TEXT, b BLOB, n INTEGER)");
    const std::vector<uint8_t> bytes{0, 1, 2, 255, 0};
    const std::string text("with\0nul", 8);
    db.run("INSERT INTO v VALUES (?1, ?2, ?3, ?4, ?5, ?6)", int64_t{-5}, uint64_t{1} << 62, 2.5, text, Blob{bytes},
           std::optional<int64_t>{});
    auto row = db.query_row<int64_t, uint64_t, double, std::string, std::vector<uint8_t>, std::optional<int64_t>>(
        "SELECT i, u, d, s, b, n FROM v");
    ASSERT_TRUE(row.has_value());
    EXPECT_EQ(std::get<0>(*row), -5);
    EXPECT_EQ(std::get<1>(*row), uint64_t{1} << 62);
    EXPECT_EQ(std::get<2>(*row), 2.5);
    EXPECT_EQ(std::get<3>(*row), text);
    EXPECT_EQ(std::get<4>(*row), bytes);
    EXPECT_EQ(std::get<5>(*row), std::nullopt);
    EXPECT_EQ(db.query_row<int64_t>("SELECT i FROM v WHERE i = 999"), std::nullopt);

    // An empty blob stays a blob, not NULL.
    db.run("INSERT INTO v(b) VALUES (?1)", Blob{});
    EXPECT_EQ(db.query_value<std::string>("SELECT typeof(b) FROM v WHERE i IS NULL"), "blob");

    // uint64 beyond int64 is refused instead of wrapping to a negative number.
    try {
        db.run("INSERT INTO v(u) VALUES (?1)", ~uint64_t{0});
        FAIL() << "binding 2^64-1 must fail";
    } catch (const DatabaseError& e) {
        EXPECT_NE(std::string(e.what()).find("does not fit"), std::string::npos) << e.what();
    }
    // Reading a negative number as unsigned is refused.
    EXPECT_THROW(db.query_value<uint64_t>("SELECT -1"), DatabaseError);
}

TEST(Database, ErrorsNameTheSqlAndSqliteMessage) {
    Database db(":memory:");
    db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT UNIQUE)");
    try {
        db.prepare("SELEC oops FROM t");
        FAIL();
    } catch (const DatabaseError& e) {
        std::string message = e.what();
        EXPECT_NE(message.find("SELEC oops FROM t"), std::string::npos) << message;
        EXPECT_NE(message.find("syntax error"), std::string::npos) << message;
    }
    db.run("INSERT INTO t(name) VALUES (?1)", "alice");
    try {
        db.run("INSERT INTO t(name) VALUES (?1)", "alice");
        FAIL();
    } catch (const DatabaseError& e) {
        EXPECT_TRUE(e.is_constraint_violation());
        std::string message = e.what();
        EXPECT_NE(message.find("INSERT INTO t(name)"), std::string::npos) << message;
        EXPECT_NE(message.find("UNIQUE constraint failed: t.name"), std::string::npos) << message;
    }
    // The failed statement went back to the cache in a usable state.
    EXPECT_EQ(db.run("INSERT INTO t(name) VALUES (?1)", "bob"), 1);
    // Two statements in one prepare() would silently drop the second: refused.
    EXPECT_THROW(db.prepare("SELECT 1; SELECT 2"), DatabaseError);
    EXPECT_THROW(db.execute("CREATE TABLE t(x)"), DatabaseError);
}

// Without auto-checkpoints no commit folds the WAL (it grows past SQLite's 1,000-page default);
// a passive checkpoint from another connection folds it, and the WAL is then reused, not grown.
TEST(Database, CheckpointsCanRunOffTheCommitPath) {
    TempDir dir;
    DatabaseOptions options;
    options.wal_autocheckpoint_pages = 0;
    Database db(dir.file("c.db"), options);
    db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)");
    const std::vector<uint8_t> page(3000, 7);
    auto write = [&](int n) {
        for (int i = 0; i < n; ++i) db.transaction([&] { db.run("INSERT INTO t(v) VALUES (?1)", Blob{page}); });
    };
    const fs::path wal = dir.file("c.db") + "-wal";
    write(1500);
    const auto grown = fs::file_size(wal);
    EXPECT_GT(grown, 1000u * 4096u);
    Database other(dir.file("c.db"));
    other.checkpoint_passive();
    write(100);
    EXPECT_EQ(fs::file_size(wal), grown);  // the checkpointed WAL is written again from its start
    EXPECT_EQ(other.query_value<int64_t>("SELECT count(*) FROM t"), 1600);
}

TEST(Database, ForeignKeysAreEnforced) {
    Database db(":memory:");
    db.execute("CREATE TABLE parent(id INTEGER PRIMARY KEY);"
               "CREATE TABLE child(id INTEGER PRIMARY KEY, parent INTEGER NOT NULL REFERENCES parent(id));");
    try {
        db.run("INSERT INTO child(parent) VALUES (?1)", 42);
        FAIL() << "a dangling reference must be refused";
    } catch (const DatabaseError& e) {
        EXPECT_TRUE(e.is_constraint_violation());
        EXPECT_NE(std::string(e.what()).find("FOREIGN KEY constraint failed"), std::string::npos) << e.what();
    }
}

TEST(Database, StatementCacheHandlesNestingAndEviction) {
    Database db(":memory:", {.statement_cache_size = 2});
    db.execute("CREATE TABLE t(x INTEGER)");
    for (int i = 0; i < 5; ++i) db.run("INSERT INTO t VALUES (?1)", i);
    // The same SQL borrowed twice at once gets two statements.
    auto outer = db.prepare("SELECT x FROM t ORDER BY x");
    int64_t sum = 0;
    while (outer.step()) {
        auto inner = db.prepare("SELECT x FROM t ORDER BY x");
        ASSERT_TRUE(inner.step());
        sum += outer.column_int(0) * 10 + inner.column_int(0);
    }
    EXPECT_EQ(sum, (0 + 1 + 2 + 3 + 4) * 10);
    // More distinct statements than the cache holds still work (old ones are finalized).
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(db.query_value<int64_t>("SELECT COUNT(*) + " + std::to_string(i) + " FROM t"), 5 + i);
    }
}

TEST(Database, ConcurrentWritersWaitForEachOther) {
    TempDir dir;
    const std::string path = dir.file("c.db");
    Database(path).execute("CREATE TABLE t(writer INTEGER, n INTEGER)");
    constexpr int writers = 3;
    constexpr int per_writer = 100;
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int w = 0; w < writers; ++w) {
        threads.emplace_back([&, w] {
            try {
                Database db(path);  // one connection per thread
                for (int i = 0; i < per_writer; ++i) {
                    db.transaction([&] { db.run("INSERT INTO t VALUES (?1, ?2)", w, i); });
                }
            } catch (const std::exception& e) {
                ADD_FAILURE() << e.what();
                ++failures;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failures, 0);
    Database db(path);
    EXPECT_EQ(db.query_value<int64_t>("SELECT COUNT(*) FROM t"), writers * per_writer);
}

// A child process commits transactions in a loop and reports each committed id through a pipe;
// the parent kills it with SIGKILL at an arbitrary moment. Every reported id must be in the
// database, each transaction must be all-or-nothing, and the file must pass integrity_check.
TEST(Database, SurvivesSigkillMidStreamOfTransactions) {
    TempDir dir;
    const std::string path = dir.file("kill.db");
    {
        Database db(path);
        db.migrate({"CREATE TABLE rows(id INTEGER PRIMARY KEY, payload TEXT NOT NULL);"
                    "CREATE TABLE totals(id INTEGER PRIMARY KEY, count INTEGER NOT NULL);"
                    "INSERT INTO totals VALUES (1, 0);"});
    }
    int64_t next_id = 0;
    for (int round = 0; round < 3; ++round) {
        int fds[2];
        ASSERT_EQ(::pipe(fds), 0);
        pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            ::close(fds[0]);
            try {
                Database db(path);
                for (int64_t id = next_id;; ++id) {
                    db.transaction([&] {
                        db.run("INSERT INTO rows(id, payload) VALUES (?1, ?2)", id, std::string(200, 'x'));
                        db.run("UPDATE totals SET count = count + 1 WHERE id = 1");
                    });
                    if (::write(fds[1], &id, sizeof id) != sizeof id) ::_exit(3);
                }
            } catch (...) {
                ::_exit(2);
            }
        }
        ::close(fds[1]);
        int64_t last_reported = -1;
        int64_t id = 0;
        const int64_t wanted = next_id + 150 + round * 37;  // kill at a different point each round
        while (last_reported < wanted && ::read(fds[0], &id, sizeof id) == sizeof id) last_reported = id;
        ASSERT_EQ(::kill(child, SIGKILL), 0);
        int status = 0;
        ASSERT_EQ(::waitpid(child, &status, 0), child);
        ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the child failed on its own: " << status;
        // Reports written before the kill are still in the pipe.
        while (::read(fds[0], &id, sizeof id) == sizeof id) last_reported = id;
        ::close(fds[0]);
        ASSERT_GE(last_reported, wanted);

        Database db(path);
        EXPECT_EQ(db.integrity_check(), "ok");
        // Every reported transaction is there (ids are consecutive from 0).
        EXPECT_EQ(db.query_value<int64_t>("SELECT COUNT(*) FROM rows WHERE id <= ?1", last_reported), last_reported + 1);
        // At most the one transaction in flight at the kill committed without being reported,
        // and each transaction is atomic: the total matches the rows.
        int64_t rows = *db.query_value<int64_t>("SELECT COUNT(*) FROM rows");
        EXPECT_LE(rows, last_reported + 2);
        EXPECT_EQ(db.query_value<int64_t>("SELECT count FROM totals WHERE id = 1"), rows);
        next_id = rows;
    }
}

}  // namespace
}  // namespace provernet::coordinator
