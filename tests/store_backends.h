// Store tests that run on both back ends: a value-parametrized fixture whose
// FreshCollection() is a new SQLite file or a new database on a PostgreSQL server
// started for the test (postgres_fixture.h). Instantiate a suite with
// LITRANK_ON_BOTH_BACKENDS(Suite); its PostgreSQL half skips, saying why, where
// PostgreSQL's server is not installed.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <memory>
#include <string>

#include "postgres_fixture.h"

namespace litrank::testing {

enum class StoreBackend { kSqlite, kPostgres };

inline std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param == StoreBackend::kSqlite ? "SQLite" : "PostgreSQL";
}

class StoreBackendTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    if (GetParam() != StoreBackend::kPostgres) return;
    LITRANK_NEED_POSTGRES();
    postgres_ = std::make_unique<PostgresServer>(TestSlug());
    ASSERT_TRUE(postgres_->Start()) << "PostgreSQL did not start; see " << TempDir() << "/pg-" << TestSlug();
  }

  /// Where a new, empty collection `name` lives: a SQLite file path (removed
  /// first) or the URL of a new PostgreSQL database.
  std::string FreshCollection(const std::string& name) {
    std::string slug;
    for (char c : name) slug += std::isalnum(static_cast<unsigned char>(c)) != 0 ? static_cast<char>(std::tolower(c)) : '_';
    if (postgres_) return postgres_->NewDatabase("c_" + slug);
    const std::string path = TempDir() + "/" + TestSlug() + "-" + slug + ".db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
    return path;
  }

  /// The PostgreSQL server of this test (nullptr on SQLite).
  PostgresServer* postgres() { return postgres_.get(); }
  bool on_postgres() const { return GetParam() == StoreBackend::kPostgres; }

 private:
  static std::string TestSlug() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string slug = std::string(info->test_suite_name()) + "-" + info->name();
    for (char& c : slug) {
      if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
    }
    return slug;
  }
  std::unique_ptr<PostgresServer> postgres_;
};

}  // namespace litrank::testing

/// Runs every TEST_P of `Suite` (a StoreBackendTest) on SQLite and on PostgreSQL.
#define LITRANK_ON_BOTH_BACKENDS(Suite)                                                            \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite,                                                        \
                           ::testing::Values(::litrank::testing::StoreBackend::kSqlite,            \
                                             ::litrank::testing::StoreBackend::kPostgres),         \
                           ::litrank::testing::StoreBackendName)
