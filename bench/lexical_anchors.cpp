#include "lexical_anchors.h"

#include <sqlite3.h>
#include <xapian.h>

#include <cctype>
#include <filesystem>

namespace litrank::bench {
namespace {

uint64_t DiskBytes(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return fs::file_size(path, ec);
  uint64_t total = 0;
  for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
    if (entry.is_regular_file(ec)) total += entry.file_size(ec);
  }
  return total;
}

class XapianAnchor final : public LexicalAnchor {
 public:
  XapianAnchor(std::string dir, double k1, double b)
      : dir_(std::move(dir)), db_(dir_, Xapian::DB_CREATE_OR_OVERWRITE), stemmer_("english"), k1_(k1), b_(b) {
    generator_.set_stemmer(stemmer_);
    generator_.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL);
    parser_.set_stemmer(stemmer_);
    parser_.set_stemming_strategy(Xapian::QueryParser::STEM_ALL);
    parser_.set_default_op(Xapian::Query::OP_OR);
  }

  Status Add(const std::vector<int64_t>& ids, const std::vector<std::string>& texts) override {
    try {
      for (size_t i = 0; i < ids.size(); ++i) {
        Xapian::Document doc;
        generator_.set_document(doc);
        generator_.index_text(texts[i]);
        db_.replace_document(static_cast<Xapian::docid>(ids[i]), doc);
      }
    } catch (const Xapian::Error& e) {
      return Status::IOError("xapian: " + e.get_msg());
    }
    return Status::Ok();
  }

  Status Finish() override {
    try {
      db_.commit();
      reader_ = std::make_unique<Xapian::Database>(dir_);
    } catch (const Xapian::Error& e) {
      return Status::IOError("xapian: " + e.get_msg());
    }
    return Status::Ok();
  }

  Status Search(const std::string& query, size_t n, std::vector<int64_t>* ids) override {
    ids->clear();
    try {
      Xapian::Enquire enquire(*reader_);
      parser_.set_database(*reader_);
      enquire.set_query(parser_.parse_query(query, 0));  // no boolean syntax: plain words
      enquire.set_weighting_scheme(Xapian::BM25Weight(k1_, 0, 1, b_, 0.5));
      Xapian::MSet mset = enquire.get_mset(0, static_cast<Xapian::doccount>(n));
      for (auto it = mset.begin(); it != mset.end(); ++it) ids->push_back(static_cast<int64_t>(*it));
    } catch (const Xapian::Error& e) {
      return Status::IOError("xapian: " + e.get_msg());
    }
    return Status::Ok();
  }

  uint64_t bytes() const override { return DiskBytes(dir_); }

 private:
  std::string dir_;
  Xapian::WritableDatabase db_;
  std::unique_ptr<Xapian::Database> reader_;
  Xapian::Stem stemmer_;
  Xapian::TermGenerator generator_;
  Xapian::QueryParser parser_;
  double k1_, b_;
};

// Quotes every word so FTS5 query syntax in the text cannot break the query.
std::string Fts5OrQuery(const std::string& text) {
  std::string out, word;
  auto flush = [&] {
    if (word.empty()) return;
    if (!out.empty()) out += " OR ";
    out += "\"" + word + "\"";
    word.clear();
  };
  for (unsigned char c : text) {
    if (std::isalnum(c) || c >= 0x80) {
      word.push_back(static_cast<char>(c));
    } else {
      flush();
    }
  }
  flush();
  return out;
}

class Fts5Anchor final : public LexicalAnchor {
 public:
  explicit Fts5Anchor(std::string path) : path_(std::move(path)) {}
  ~Fts5Anchor() override {
    sqlite3_finalize(insert_);
    sqlite3_finalize(query_);
    sqlite3_close_v2(db_);
  }

  Status Open() {
    std::filesystem::remove(path_);
    if (sqlite3_open(path_.c_str(), &db_) != SQLITE_OK) return Error("open");
    if (sqlite3_exec(db_,
                     "PRAGMA journal_mode=WAL; CREATE VIRTUAL TABLE f USING fts5(body, tokenize='porter unicode61');"
                     "BEGIN;",
                     nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Error("create");
    }
    if (sqlite3_prepare_v2(db_, "INSERT INTO f(rowid, body) VALUES (?, ?)", -1, &insert_, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db_, "SELECT rowid FROM f WHERE f MATCH ? ORDER BY bm25(f) LIMIT ?", -1, &query_,
                           nullptr) != SQLITE_OK) {
      return Error("prepare");
    }
    return Status::Ok();
  }

  Status Add(const std::vector<int64_t>& ids, const std::vector<std::string>& texts) override {
    for (size_t i = 0; i < ids.size(); ++i) {
      sqlite3_bind_int64(insert_, 1, ids[i]);
      sqlite3_bind_text(insert_, 2, texts[i].c_str(), static_cast<int>(texts[i].size()), SQLITE_STATIC);
      const int rc = sqlite3_step(insert_);
      sqlite3_reset(insert_);
      if (rc != SQLITE_DONE) return Error("insert");
    }
    return Status::Ok();
  }

  Status Finish() override {
    return sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK ? Status::Ok() : Error("commit");
  }

  Status Search(const std::string& query, size_t n, std::vector<int64_t>* ids) override {
    ids->clear();
    const std::string match = Fts5OrQuery(query);
    if (match.empty()) return Status::Ok();
    sqlite3_bind_text(query_, 1, match.c_str(), static_cast<int>(match.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(query_, 2, static_cast<int64_t>(n));
    int rc;
    while ((rc = sqlite3_step(query_)) == SQLITE_ROW) ids->push_back(sqlite3_column_int64(query_, 0));
    sqlite3_reset(query_);
    return rc == SQLITE_DONE ? Status::Ok() : Error("query");
  }

  uint64_t bytes() const override { return DiskBytes(path_); }

 private:
  Status Error(const char* what) const {
    return Status::IOError(std::string("fts5 ") + what + ": " + (db_ ? sqlite3_errmsg(db_) : "no database"));
  }
  std::string path_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* query_ = nullptr;
};

}  // namespace

StatusOr<std::unique_ptr<LexicalAnchor>> NewXapianAnchor(const std::string& dir, double k1, double b) {
  try {
    std::filesystem::create_directories(dir);
    return std::unique_ptr<LexicalAnchor>(new XapianAnchor(dir, k1, b));
  } catch (const std::exception& e) {
    return Status::IOError(std::string("xapian: ") + e.what());
  } catch (const Xapian::Error& e) {
    return Status::IOError("xapian: " + e.get_msg());
  }
}

StatusOr<std::unique_ptr<LexicalAnchor>> NewFts5Anchor(const std::string& path) {
  auto anchor = std::make_unique<Fts5Anchor>(path);
  LITRANK_RETURN_IF_ERROR(anchor->Open());
  return std::unique_ptr<LexicalAnchor>(std::move(anchor));
}

}  // namespace litrank::bench
