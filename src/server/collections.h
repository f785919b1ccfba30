// The collections a server serves: name -> one corpus file, used through a few
// "lanes" (each its own SQLite connection and Searcher) so that searches on one
// collection run side by side and their rerank stages batch together.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>


#include "litrank/corpus.h"
#include "litrank/screening.h"
#include "litrank/search.h"
#include "litrank/status.h"

namespace litrank {
class Embedder;
class Reranker;
}  // namespace litrank

namespace litrank::server {

class Collection;

/// One lane of a collection, held by one request: a Corpus connection and its Searcher,
/// which nobody else uses meanwhile. Returned to the collection when destroyed.
class LaneLease {
 public:
  LaneLease() = default;
  LaneLease(LaneLease&& other) noexcept;
  LaneLease& operator=(LaneLease&&) = delete;
  ~LaneLease();
  Corpus& corpus() const { return *corpus_; }
  Searcher& searcher() const { return *searcher_; }

 private:
  friend class Collection;
  LaneLease(Collection* owner, size_t lane, Corpus* corpus, Searcher* searcher)
      : owner_(owner), lane_(lane), corpus_(corpus), searcher_(searcher) {}
  Collection* owner_ = nullptr;
  size_t lane_ = 0;
  Corpus* corpus_ = nullptr;
  Searcher* searcher_ = nullptr;
};

/// One open collection. Thread-safe.
class Collection {
 public:
  /// Opens `path` (created when `create`) with one lane; more lanes (up to
  /// `max_lanes`) are opened when requests find every lane busy.
  static StatusOr<std::shared_ptr<Collection>> Open(const std::string& name, const std::string& path, bool create,
                                                    size_t max_lanes, Reranker* reranker, Embedder* embedder);
  const std::string& name() const { return name_; }
  /// The collection's file.
  const std::string& path() const { return path_; }
  /// A free lane, waiting while all `max_lanes` are busy. NotFound once the collection
  /// was deleted.
  StatusOr<LaneLease> Acquire();
  /// Waits until no request holds a lane, closes every lane and screening
  /// project, and refuses new ones.
  void Close();
  /// Runs `fn` on screening project `project` of this collection, opened on first
  /// use and kept open; calls on one project take turns (a ScreeningProject is
  /// single-threaded). With `create`, the project is started first (its imported
  /// label count into *imported). NotFound once the collection was deleted or for
  /// an unknown project.
  Status WithScreening(const std::string& project, const ScreeningSettings* create, int64_t* imported,
                       const std::function<Status(ScreeningProject&)>& fn);
  /// Test hook: called (under the collection's lock; it must not block or call back)
  /// each time Acquire or Close starts waiting for a lane to be freed.
  void SetWaitHookForTesting(std::function<void()> hook) {
    std::lock_guard<std::mutex> lock(mu_);
    on_wait_ = std::move(hook);
  }

 private:
  friend class LaneLease;
  struct Lane {
    std::unique_ptr<Corpus> corpus;
    std::unique_ptr<Searcher> searcher;
    bool busy = false;
  };
  Collection() = default;
  StatusOr<std::unique_ptr<Lane>> OpenLane(bool create) const;
  void Release(size_t lane);

  std::string name_, path_;
  size_t max_lanes_ = 1;
  Reranker* reranker_ = nullptr;
  Embedder* embedder_ = nullptr;
  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  size_t opening_ = 0;  // lanes being opened outside the lock
  struct ScreeningSlot {
    std::mutex mu;  // one call at a time on the project
    std::unique_ptr<ScreeningProject> project;
  };
  std::map<std::string, std::shared_ptr<ScreeningSlot>> screening_;
  bool closed_ = false;
  std::function<void()> on_wait_;  // SetWaitHookForTesting
};

/// Name -> Collection. Thread-safe. Names are checked by IsValidCollectionName.
class Collections {
 public:
  /// `data_dir` ("" = none) holds DIR/NAME.db for collections created through the API.
  /// The models (may be null) are shared by every collection's searchers; not owned.
  /// Each collection opens at most `max_lanes` connections (concurrent searches).
  Collections(std::string data_dir, Reranker* reranker, Embedder* embedder, size_t max_lanes = 4);
  /// Serves the file at `path` as `name` (opened now, created if missing).
  Status AddFile(const std::string& name, const std::string& path);
  /// The collection `name`. Known names are opened on first use; with `create` and a
  /// data dir, a new one is created there. Else NotFound.
  StatusOr<std::shared_ptr<Collection>> Get(const std::string& name, bool create);
  /// Deletes the data-dir collection `name` and its file (waiting for requests using
  /// it). NotFound if unknown; InvalidArgument for a collection served from --db.
  Status Remove(const std::string& name);
  /// Names of the collections known now (opened or in the data dir).
  std::vector<std::string> Names() const;

 private:
  StatusOr<std::shared_ptr<Collection>> OpenLocked(const std::string& name, const std::string& path, bool create);
  /// DIR/NAME.db of a data-dir collection ("" without a data dir).
  std::string PathOf(const std::string& name) const { return data_dir_.empty() ? "" : data_dir_ + "/" + name + ".db"; }

  const std::string data_dir_;
  Reranker* reranker_;
  Embedder* embedder_;
  const size_t max_lanes_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Collection>> open_;
  std::map<std::string, bool> pinned_;  // names served from a file given at start (not deletable)
  std::set<std::string> removing_;      // names being deleted: not reopened meanwhile
};

}  // namespace litrank::server
