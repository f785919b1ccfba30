#include "server/collections.h"

#include <algorithm>
#include <filesystem>

#include "server/api_requests.h"

namespace litrank::server {

LaneLease::LaneLease(LaneLease&& other) noexcept
    : owner_(other.owner_), lane_(other.lane_), corpus_(other.corpus_), searcher_(other.searcher_) {
  other.owner_ = nullptr;
}
LaneLease::~LaneLease() {
  if (owner_) owner_->Release(lane_);
}

StatusOr<std::unique_ptr<Collection::Lane>> Collection::OpenLane(bool create) const {
  auto lane = std::make_unique<Lane>();
  auto corpus = Corpus::Open(path_, create);
  if (!corpus.ok()) return corpus.status();
  lane->corpus = std::move(corpus.value());
  auto searcher = Searcher::Create(lane->corpus.get(), reranker_, embedder_);
  if (!searcher.ok()) return searcher.status();
  lane->searcher = std::move(searcher.value());
  return lane;
}

StatusOr<std::shared_ptr<Collection>> Collection::Open(const std::string& name, const std::string& path, bool create,
                                                       size_t max_lanes, Reranker* reranker, Embedder* embedder) {
  std::shared_ptr<Collection> c(new Collection());
  c->name_ = name, c->path_ = path, c->max_lanes_ = std::max<size_t>(max_lanes, 1);
  c->reranker_ = reranker, c->embedder_ = embedder;
  auto lane = c->OpenLane(create);
  if (!lane.ok()) return lane.status();
  c->lanes_.push_back(std::move(lane.value()));
  return c;
}

StatusOr<LaneLease> Collection::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (closed_) return Status::NotFound("the collection \"" + name_ + "\" was deleted");
    for (size_t i = 0; i < lanes_.size(); ++i) {
      if (!lanes_[i]->busy) {
        lanes_[i]->busy = true;
        return LaneLease(this, i, lanes_[i]->corpus.get(), lanes_[i]->searcher.get());
      }
    }
    if (lanes_.size() + opening_ < max_lanes_) {
      ++opening_;  // open a connection (and later its index) outside the lock
      lock.unlock();
      auto lane = OpenLane(/*create=*/false);
      lock.lock();
      --opening_;
      freed_.notify_all();  // Close may be waiting for this opening to end
      if (!lane.ok()) return lane.status();
      if (closed_) continue;  // deleted meanwhile: the new lane is dropped
      Lane* l = lane.value().get();
      l->busy = true;
      lanes_.push_back(std::move(lane.value()));
      return LaneLease(this, lanes_.size() - 1, l->corpus.get(), l->searcher.get());
    }
    if (on_wait_) on_wait_();
    freed_.wait(lock);
  }
}

void Collection::Release(size_t lane) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    lanes_[lane]->busy = false;
  }
  freed_.notify_all();
}

void Collection::Close() {
  std::unique_lock<std::mutex> lock(mu_);
  closed_ = true;
  auto idle = [&] {
    return opening_ == 0 && std::none_of(lanes_.begin(), lanes_.end(), [](const auto& l) { return l->busy; });
  };
  if (!idle() && on_wait_) on_wait_();
  freed_.wait(lock, idle);
  lanes_.clear();
  screening_.clear();  // a call in progress keeps its slot alive until it returns
}

Status Collection::WithScreening(const std::string& project, const ScreeningSettings* create, int64_t* imported,
                                 const std::function<Status(ScreeningProject&)>& fn) {
  std::shared_ptr<ScreeningSlot> slot;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return Status::NotFound("the collection \"" + name_ + "\" was deleted");
    auto& entry = screening_[project];
    if (!entry) entry = std::make_shared<ScreeningSlot>();
    slot = entry;
  }
  std::unique_lock<std::mutex> turn(slot->mu);
  Status st;
  if (create != nullptr) {
    if (slot->project) return Status::InvalidArgument("a screening project named '" + project + "' already exists");
    auto created = ScreeningProject::Create(path_, project, *create, imported);
    if (created.ok()) slot->project = std::move(created.value());
    st = created.status();
  } else if (!slot->project) {
    auto opened = ScreeningProject::Open(path_, project);
    if (opened.ok()) slot->project = std::move(opened.value());
    st = opened.status();
  }
  if (!st.ok()) {
    // No slot is kept for a name that is not a project (unknown names cost nothing).
    turn.unlock();
    std::lock_guard<std::mutex> lock(mu_);
    auto it = screening_.find(project);
    if (it != screening_.end() && it->second == slot && !slot->project) screening_.erase(it);
    return st;
  }
  return fn(*slot->project);
}

Collections::Collections(std::string data_dir, Reranker* reranker, Embedder* embedder, size_t max_lanes)
    : data_dir_(std::move(data_dir)), reranker_(reranker), embedder_(embedder), max_lanes_(max_lanes) {}

StatusOr<std::shared_ptr<Collection>> Collections::OpenLocked(const std::string& name, const std::string& path,
                                                              bool create) {
  auto c = Collection::Open(name, path, create, max_lanes_, reranker_, embedder_);
  if (!c.ok()) return c.status();
  open_[name] = c.value();
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
  if (removing_.count(name)) return Status::NotFound("the collection \"" + name + "\" is being deleted");
  if (data_dir_.empty()) return Status::NotFound("no collection named \"" + name + "\"");
  const std::string path = PathOf(name);
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
    if (removing_.count(name)) return Status::NotFound("the collection \"" + name + "\" is being deleted");
    const std::string path = PathOf(name);
    std::error_code ec;
    if (auto it = open_.find(name); it != open_.end()) c = it->second, open_.erase(it);
    else if (path.empty() || !std::filesystem::exists(path, ec)) return Status::NotFound("no collection named \"" + name + "\"");
    removing_.insert(name);  // no request may reopen the file until it is gone
  }
  if (c) c->Close();  // requests holding a lane finish first
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(PathOf(name) + suffix, ec);
  std::lock_guard<std::mutex> lock(mu_);
  removing_.erase(name);
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
