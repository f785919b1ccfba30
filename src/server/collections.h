// The collections a server serves: name -> one corpus file with its searcher.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "litrank/corpus.h"
#include "litrank/search.h"
#include "litrank/status.h"

namespace litrank {
class Embedder;
class Reranker;
}  // namespace litrank

namespace litrank::server {

/// One open collection. Corpus and Searcher are not thread-safe: hold `mu` while
/// using either (requests on different collections run in parallel). Both are null
/// once the collection was deleted (check after locking).
struct Collection {
  std::string name, path;
  std::mutex mu;
  std::unique_ptr<Corpus> corpus;
  std::unique_ptr<Searcher> searcher;
};

/// Name -> Collection. Thread-safe. Names are checked by IsValidCollectionName.
class Collections {
 public:
  /// `data_dir` ("" = none) holds DIR/NAME.db for collections created through the API.
  /// The models (may be null) are shared by every collection's searcher; not owned.
  Collections(std::string data_dir, Reranker* reranker, Embedder* embedder);
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

  const std::string data_dir_;
  Reranker* reranker_;
  Embedder* embedder_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Collection>> open_;
  std::map<std::string, bool> pinned_;  // names served from a file given at start (not deletable)
};

}  // namespace litrank::server
