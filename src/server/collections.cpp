#include "server/collections.h"

#include <filesystem>

#include "server/api_requests.h"

namespace litrank::server {

Collections::Collections(std::string data_dir, Reranker* reranker, Embedder* embedder)
    : data_dir_(std::move(data_dir)), reranker_(reranker), embedder_(embedder) {}

StatusOr<std::shared_ptr<Collection>> Collections::OpenLocked(const std::string& name, const std::string& path,
                                                              bool create) {
  auto corpus = Corpus::Open(path, create);
  if (!corpus.ok()) return corpus.status();
  auto c = std::make_shared<Collection>();
  c->name = name;
  c->path = path;
  c->corpus = std::move(corpus.value());
  auto searcher = Searcher::Create(c->corpus.get(), reranker_, embedder_);
  if (!searcher.ok()) return searcher.status();
  c->searcher = std::move(searcher.value());
  open_[name] = c;
  return c;
}

Status Collections::AddFile(const std::string& name, const std::string& path) {
  if (!IsValidCollectionName(name)) return Status::InvalidArgument("invalid collection name \"" + name + "\"");
  std::lock_guard<std::mutex> lock(mu_);
  auto c = OpenLocked(name, path, /*create=*/true);
  if (c.ok()) pinned_[name] = true;
  return c.ok() ? Status::Ok() : c.status();
}

StatusOr<std::shared_ptr<Collection>> Collections::Get(const std::string& name, bool create) {
  if (!IsValidCollectionName(name)) {
    return Status::InvalidArgument("invalid collection name \"" + name + "\": use 1-64 letters, digits, '_' or '-'");
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = open_.find(name); it != open_.end()) return it->second;
  if (data_dir_.empty()) return Status::NotFound("no collection named \"" + name + "\"");
  const std::string path = data_dir_ + "/" + name + ".db";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (!create) return Status::NotFound("no collection named \"" + name + "\"");
    std::filesystem::create_directories(data_dir_, ec);
    if (ec) return Status::IOError("cannot create " + data_dir_ + ": " + ec.message());
  }
  return OpenLocked(name, path, create);
}

Status Collections::Remove(const std::string& name) {
  if (!IsValidCollectionName(name)) return Status::InvalidArgument("invalid collection name \"" + name + "\"");
  std::shared_ptr<Collection> c;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (pinned_.count(name)) {
      return Status::InvalidArgument("\"" + name + "\" is served from the file given with --db; it is not deleted through the API");
    }
    const std::string path = data_dir_.empty() ? "" : data_dir_ + "/" + name + ".db";
    std::error_code ec;
    if (auto it = open_.find(name); it != open_.end()) c = it->second, open_.erase(it);
    else if (path.empty() || !std::filesystem::exists(path, ec)) return Status::NotFound("no collection named \"" + name + "\"");
    if (!c) {
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix, ec);
      return Status::Ok();
    }
  }
  std::lock_guard<std::mutex> in_use(c->mu);  // requests holding it finish first
  c->searcher.reset();
  c->corpus.reset();
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(c->path + suffix, ec);
  return Status::Ok();
}

std::vector<std::string> Collections::Names() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> names;
  for (const auto& [name, c] : open_) names.push_back(name);
  std::error_code ec;
  if (!data_dir_.empty() && std::filesystem::is_directory(data_dir_, ec)) {
    for (const auto& entry : std::filesystem::directory_iterator(data_dir_, ec)) {
      const auto& p = entry.path();
      if (p.extension() == ".db" && IsValidCollectionName(p.stem().string()) && !open_.count(p.stem().string())) {
        names.push_back(p.stem().string());
      }
    }
  }
  return names;
}

}  // namespace litrank::server
