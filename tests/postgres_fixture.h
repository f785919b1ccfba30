// A real PostgreSQL 15 for the tests that need one: initdb into the test's own
// temporary folder (trust authentication, UTF8, C locale), a postmaster on a free
// loopback port (TCP only: a socket path under a long test folder would pass
// the 107-byte limit), ready once it says so on its output (a latch, no polling), shut
// down when the test ends. Run as root, the server runs as the `postgres` user
// (setpriv: it refuses root). Tests skip, saying why, where PostgreSQL's server is
// not installed (scripts/install-deps.sh installs postgresql-15).
#pragma once

#include <libpq-fe.h>
#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "process_util.h"
#include "synth_fixture.h"

namespace litrank::testing {

/// PostgreSQL's server programs (initdb, postgres), or "" when absent.
inline std::string PostgresBinDir() {
  for (const char* dir : {"/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"}) {
    if (access((std::string(dir) + "/postgres").c_str(), X_OK) == 0) return dir;
  }
  return "";
}

class PostgresServer {
 public:
  explicit PostgresServer(const std::string& name) : dir_(TempDir() + "/pg-" + name), port_(FreePort()) {
    std::filesystem::remove_all(dir_);  // a fresh cluster each time (gtest_repeat reuses names)
    std::filesystem::create_directories(dir_);
    if (getuid() == 0) {
      if (const passwd* pw = getpwnam("postgres")) {
        (void)chown(dir_.c_str(), pw->pw_uid, pw->pw_gid);
        as_user_ = {"/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"};
      }
    }
  }
  ~PostgresServer() { Stop(SIGINT); }  // fast shutdown: clients are disconnected

  /// Creates the cluster on the first call, then starts (or restarts, keeping the
  /// data) the server and waits for "ready to accept connections". False when
  /// initdb fails or the server exits first.
  bool Start() {
    if (!initialised_) {
      std::vector<std::string> argv = as_user_;
      for (const char* a : {"/initdb"}) argv.push_back(PostgresBinDir() + a);
      for (const std::string& a : {std::string("-D"), dir_ + "/data", std::string("-E"), std::string("UTF8"),
                                   std::string("--locale=C"), std::string("-A"), std::string("trust"),
                                   std::string("-U"), std::string("litrank"), std::string("--no-sync")}) {
        argv.push_back(a);
      }
      ChildProcess init(argv, dir_ + "/initdb.log");
      if (init.WaitExit(120) != 0) return false;
      initialised_ = true;
    }
    process_.reset();
    log_ = std::make_unique<LinePipe>(dir_ + "/log-" + std::to_string(++starts_));
    std::vector<std::string> argv = as_user_;
    for (const std::string& a :
         {PostgresBinDir() + "/postgres", std::string("-D"), dir_ + "/data", std::string("-p"),
          std::to_string(port_), std::string("-c"), std::string("unix_socket_directories="), std::string("-c"), std::string("listen_addresses=127.0.0.1"),
          std::string("-c"), std::string("fsync=off"), std::string("-c"), std::string("max_connections=60")}) {
      argv.push_back(a);
    }
    process_ = std::make_unique<ChildProcess>(argv, "", log_->write_fd());
    log_->CloseWriteEnd();
    while (auto line = log_->NextLine(60)) {
      if (line->find("ready to accept connections") != std::string::npos) return true;
    }
    return false;
  }

  /// Stops the server: SIGQUIT is an immediate shutdown (a crash: the next start
  /// recovers from the WAL), SIGINT a fast one.
  void Stop(int sig = SIGQUIT) {
    if (!process_) return;
    process_->Signal(sig);
    process_->WaitExit(60);
    process_.reset();
  }

  /// A new, empty database `name` on this server (dropped first if present); its URL.
  std::string NewDatabase(const std::string& name) {
    PGconn* admin = PQconnectdb(("postgresql://litrank@127.0.0.1:" + std::to_string(port_) + "/postgres").c_str());
    PQsetNoticeProcessor(admin, [](void*, const char*) {}, nullptr);  // "does not exist, skipping"
    for (const std::string& sql : {"DROP DATABASE IF EXISTS " + name, "CREATE DATABASE " + name}) {
      PGresult* r = PQexec(admin, sql.c_str());
      EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(admin);
      PQclear(r);
    }
    PQfinish(admin);
    return url(name);
  }
  std::string url(const std::string& db) const {
    return "postgresql://litrank@127.0.0.1:" + std::to_string(port_) + "/" + db;
  }

 private:
  std::string dir_;
  int port_;
  int starts_ = 0;
  bool initialised_ = false;
  std::vector<std::string> as_user_;
  std::unique_ptr<LinePipe> log_;          // the server's output; outlives the process
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace litrank::testing

/// Skips the test when PostgreSQL's server is absent.
#define LITRANK_NEED_POSTGRES()                                                                          \
  do {                                                                                                   \
    if (::litrank::testing::PostgresBinDir().empty()) {                                                  \
      GTEST_SKIP() << "PostgreSQL's server is not installed (scripts/install-deps.sh installs postgresql-15)"; \
    }                                                                                                    \
  } while (0)
