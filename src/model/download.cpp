// litrank — PullModel: resumable, verified, atomic model download over libcurl.
#include "litrank/download.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>

#include "util/ascii.h"

namespace litrank {
namespace {

namespace fs = std::filesystem;

constexpr char kHex[] = "0123456789abcdef";

// Promises: the environment variable's value, "" when unset.
std::string Env(const char* name) { const char* v = std::getenv(name); return v ? v : ""; }

// Promises: true iff every '/'-separated segment is non-empty and not "." or "..".
bool SafePath(const std::string& p) {
  for (size_t start = 0, end = 0; end != std::string::npos; start = end + 1) {
    end = p.find('/', start);
    const std::string seg = p.substr(start, end == std::string::npos ? end : end - start);
    if (seg.empty() || seg == "." || seg == ".." || seg.find('\\') != std::string::npos) return false;
  }
  return true;
}

// Promises: the input percent-encoded except RFC 3986 unreserved characters and '/'.
std::string EncodePath(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') out += static_cast<char>(c);
    else ((out += '%') += kHex[c >> 4]) += kHex[c & 15];
  }
  return out;
}

// Promises: a lowercase 64-hex sha256 from an (X-Linked-)ETag value, or "" if it is not one.
std::string Sha256FromEtag(std::string v) {
  if (v.rfind("W/", 0) == 0) v = v.substr(2);
  v.erase(std::remove(v.begin(), v.end(), '"'), v.end());
  const bool hex = std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isxdigit(c); });
  return v.size() == 64 && hex ? Lower(v) : "";
}

// Promises: the decimal value, or 0 when the text is empty or not a number.
uint64_t ParseSize(const std::string& v) {
  if (v.empty() || !std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); })) return 0;
  return std::strtoull(v.c_str(), nullptr, 10);
}

// Promises: calls curl_global_init exactly once per process.
void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// What one transfer saw: status, headers of the last response (lowercase names).
struct Reply {
  CURLcode rc = CURLE_OK;
  long status = 0;
  std::string error;
  std::map<std::string, std::string> headers;
};

// Promises: records each header of the current response; a new status line clears old ones.
size_t OnHeader(char* data, size_t size, size_t n, void* user) noexcept {
  auto* reply = static_cast<Reply*>(user);
  try {
    std::string line(data, size * n);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
    if (line.rfind("HTTP/", 0) == 0) {
      reply->headers.clear();
    } else if (const size_t colon = line.find(':'); colon != std::string::npos) {
      const size_t v = line.find_first_not_of(" \t", colon + 1);
      reply->headers[Lower(line.substr(0, colon))] = v == std::string::npos ? "" : line.substr(v);
    }
  } catch (...) {
    return 0;  // out of memory: abort the transfer
  }
  return size * n;
}

// State shared with the GET callbacks.
struct Sink {
  FILE* file = nullptr;
  uint64_t offset = 0;    // bytes already in the .part before this transfer
  uint64_t expected = 0;  // total size when known, else 0
  const std::function<void(uint64_t, uint64_t)>* on_progress = nullptr;
  bool callback_threw = false;
};

// Promises: appends the bytes to the .part; a short write makes curl fail with CURLE_WRITE_ERROR.
size_t OnWrite(char* data, size_t size, size_t n, void* user) noexcept {
  return std::fwrite(data, 1, size * n, static_cast<Sink*>(user)->file);
}

// Promises: forwards progress (resumed offset included); aborts the transfer if the callback throws.
int OnProgress(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t, curl_off_t) noexcept {
  auto* sink = static_cast<Sink*>(user);
  if (!sink->on_progress || !*sink->on_progress) return 0;
  const uint64_t total =
      sink->expected ? sink->expected : (dltotal > 0 ? sink->offset + static_cast<uint64_t>(dltotal) : 0);
  try {
    (*sink->on_progress)(sink->offset + static_cast<uint64_t>(dlnow), total);
    return 0;
  } catch (...) {
    sink->callback_threw = true;
    return 1;  // curl stops with CURLE_ABORTED_BY_CALLBACK
  }
}

// Promises: one HTTP request (HEAD when sink is null, else GET into sink) with common options set.
Reply Perform(const std::string& url, const std::string& token, bool follow, Sink* sink) {
  Reply reply;
  const std::unique_ptr<CURL, void (*)(CURL*)> handle(curl_easy_init(), curl_easy_cleanup);
  if (!handle) return {CURLE_FAILED_INIT, 0, "curl_easy_init failed", {}};
  const std::unique_ptr<curl_slist, void (*)(curl_slist*)> hdrs(
      token.empty() ? nullptr : curl_slist_append(nullptr, ("Authorization: Bearer " + token).c_str()),
      curl_slist_free_all);
  CURL* curl = handle.get();
  char err[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs.get());
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "litrank/0.1");
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, err);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, follow ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);  // abort when stalled for a minute
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply);
  if (sink) {
    curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnWrite);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, sink);
    curl_easy_setopt(curl, CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(sink->offset));
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, sink);
  } else {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  }
  reply.rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  reply.error = err[0] ? err : curl_easy_strerror(reply.rc);
  return reply;
}

// Promises: OK for a completed 1xx-3xx; 401/403 -> NetworkError naming HF_TOKEN; 404 -> NotFound
// naming the URL; other HTTP errors and curl failures -> NetworkError with the reason.
Status HttpStatus(const Reply& r, const std::string& url) {
  if (r.status == 401 || r.status == 403) {
    return Status::NetworkError("HTTP " + std::to_string(r.status) + " for " + url +
                                ": access denied (gated or private repository? set HF_TOKEN)");
  }
  if (r.status == 404) return Status::NotFound("no such file on the server: " + url);
  if (r.status >= 400) return Status::NetworkError("HTTP " + std::to_string(r.status) + " for " + url);
  if (r.rc != CURLE_OK) return Status::NetworkError("download of " + url + " failed: " + r.error);
  return Status::Ok();
}

// What the server says the file should be ("" / 0 when it does not say).
struct Expected { std::string sha256; uint64_t size = 0; };

// Promises: sha256/size from a HEAD without redirects (HF's X-Linked-* on the 302); for a
// redirect without them, from a second HEAD that follows it; errors per HttpStatus.
StatusOr<Expected> Probe(const std::string& url, const std::string& token) {
  Expected e;
  for (const bool follow : {false, true}) {
    const Reply r = Perform(url, token, follow, nullptr);
    if (r.status == 405 || r.status == 501) return e;  // no HEAD support: verify nothing beforehand
    LITRANK_RETURN_IF_ERROR(HttpStatus(r, url));
    auto get = [&](const char* k) { auto it = r.headers.find(k); return it == r.headers.end() ? "" : it->second; };
    e.sha256 = Sha256FromEtag(get("x-linked-etag"));
    e.size = ParseSize(get("x-linked-size"));
    if (r.status >= 200 && r.status < 300) {
      if (e.sha256.empty()) e.sha256 = Sha256FromEtag(get("etag"));
      if (!e.size) e.size = ParseSize(get("content-length"));
    }
    if (r.status < 300 || r.status >= 400 || !e.sha256.empty() || e.size) return e;
  }
  return e;
}

// Promises: the lowercase hex sha256 of the whole file, or an IOError.
StatusOr<std::string> Sha256File(const fs::path& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Status::IOError("cannot read " + path.string());
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1;
  std::vector<unsigned char> buf(1 << 20);
  size_t n = 0;
  while (ok && (n = std::fread(buf.data(), 1, buf.size(), f)) > 0) ok = EVP_DigestUpdate(ctx, buf.data(), n) == 1;
  ok = ok && !std::ferror(f);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  ok = ok && EVP_DigestFinal_ex(ctx, md, &len) == 1;
  EVP_MD_CTX_free(ctx);
  std::fclose(f);
  if (!ok) return Status::IOError("cannot hash " + path.string());
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) (hex += kHex[md[i] >> 4]) += kHex[md[i] & 15];
  return hex;
}

// Promises: the file's size, 0 when it does not exist.
uint64_t FileSize(const fs::path& p) {
  std::error_code ec;
  const auto n = fs::file_size(p, ec);
  return ec ? 0 : static_cast<uint64_t>(n);
}

// Promises: a complete, verified `part` renamed to `dest`, or a non-OK Status. A checksum
// mismatch deletes `part`; a transfer failure keeps it for the next resume. Transient
// failures are retried (resuming) a few times within one call.
Status Fetch(const std::string& url, const std::string& token, const Expected& want, const fs::path& part,
             const fs::path& dest, const PullOptions& options) {
  std::error_code ec;
  bool resumed = false;  // some bytes came from an earlier PullModel call
  for (int attempt = 0;; ++attempt) {
    Sink sink;
    sink.offset = FileSize(part);
    if (want.size && sink.offset > want.size) sink.offset = 0;  // stale or foreign .part
    if (attempt == 0) resumed = sink.offset > 0;
    sink.expected = want.size;
    sink.on_progress = &options.on_progress;
    if (!want.size || sink.offset < want.size) {
      sink.file = std::fopen(part.c_str(), sink.offset ? "ab" : "wb");
      if (!sink.file) return Status::IOError("cannot write " + part.string());
      const Reply r = Perform(url, token, true, &sink);
      const bool write_failed = std::fclose(sink.file) != 0 || r.rc == CURLE_WRITE_ERROR;
      if (sink.callback_threw) return Status::Internal("progress callback threw; download of " + url + " stopped");
      if (write_failed) return Status::IOError("cannot write " + part.string() + " (disk full?)");
      // The server ignored or refused the range (200 / 416): start over from byte 0.
      if (sink.offset && (r.rc == CURLE_RANGE_ERROR || r.status == 416) && attempt < 3) {
        fs::remove(part, ec);
        resumed = false;
        continue;
      }
      const bool transient = r.rc == CURLE_PARTIAL_FILE || r.rc == CURLE_RECV_ERROR ||
                             r.rc == CURLE_OPERATION_TIMEDOUT || r.rc == CURLE_GOT_NOTHING;
      if (transient && r.status < 400 && attempt < 3) continue;  // resume from what arrived
      LITRANK_RETURN_IF_ERROR(HttpStatus(r, url));
    }
    const uint64_t got = FileSize(part);
    std::string bad;
    if (want.size && got != want.size) {
      bad = "size of " + url + ": expected " + std::to_string(want.size) + " bytes, got " + std::to_string(got);
    } else if (!want.sha256.empty()) {
      StatusOr<std::string> sha = Sha256File(part);
      if (!sha.ok()) return sha.status();
      if (*sha != want.sha256) bad = "sha256 of " + url + ": expected " + want.sha256 + ", got " + *sha;
    }
    if (!bad.empty()) {
      fs::remove(part, ec);
      if (resumed && attempt < 3) {  // the old prefix may be from another revision: once more, from scratch
        resumed = false;
        continue;
      }
      return Status::ChecksumMismatch(bad);
    }
    fs::rename(part, dest, ec);
    if (ec) return Status::IOError("cannot rename " + part.string() + " to " + dest.string() + ": " + ec.message());
    return Status::Ok();
  }
}

// Promises: the body of PullModel; may throw only std::bad_alloc-like exceptions.
StatusOr<std::string> Pull(const std::string& spec, const PullOptions& options) {
  std::string repo, file;
  for (const KnownModel& m : KnownModels()) {
    if (Lower(spec) == m.name) repo = m.repo, file = m.file;
  }
  if (repo.empty()) {
    const size_t a = spec.find('/');
    const size_t b = a == std::string::npos ? a : spec.find('/', a + 1);
    if (b != std::string::npos && SafePath(spec)) repo = spec.substr(0, b), file = spec.substr(b + 1);
  }
  if (repo.empty()) {
    std::string names;
    for (const KnownModel& m : KnownModels()) names += (names.empty() ? "" : ", ") + m.name;
    return Status::InvalidArgument("'" + spec + "' is neither a known model (" + names +
                                   ") nor OWNER/REPO/FILE (e.g. Qwen/Qwen3-Embedding-0.6B-GGUF/Qwen3-Embedding-0.6B-Q8_0.gguf)");
  }
  if (options.revision.empty() || !SafePath(options.revision)) {
    return Status::InvalidArgument("bad revision '" + options.revision + "'");
  }
  std::string endpoint = !options.endpoint.empty() ? options.endpoint : Env("HF_ENDPOINT");
  if (endpoint.empty()) endpoint = "https://huggingface.co";
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  const std::string token = !options.token.empty() ? options.token : Env("HF_TOKEN");
  const std::string url = endpoint + "/" + EncodePath(repo) + "/resolve/" + EncodePath(options.revision) + "/" +
                          EncodePath(file);

  const std::string dir_name = repo.substr(0, repo.find('/')) + "__" + repo.substr(repo.find('/') + 1);
  const fs::path dest = fs::path(options.cache_dir.empty() ? DefaultModelCacheDir() : options.cache_dir) /
                        dir_name / file;
  const fs::path part = dest.string() + ".part";
  std::error_code ec;
  fs::create_directories(dest.parent_path(), ec);
  if (ec) return Status::IOError("cannot create " + dest.parent_path().string() + ": " + ec.message());

  GlobalInit();
  StatusOr<Expected> want = Probe(url, token);
  if (fs::is_regular_file(dest, ec)) {
    // Offline, or the server agrees on the size (or does not state it): keep what we have.
    if (!want.ok() || !want->size || FileSize(dest) == want->size) return dest.string();
  }
  if (!want.ok()) return want.status();
  LITRANK_RETURN_IF_ERROR(Fetch(url, token, *want, part, dest, options));
  return dest.string();
}

}  // namespace

std::string DefaultModelCacheDir() {
  // Promises: a path (absolute unless HOME is unknown); creates nothing.
  const std::string xdg = Env("XDG_CACHE_HOME");
  if (!xdg.empty() && xdg[0] == '/') return xdg + "/litrank/models";
  std::string home = Env("HOME");
  if (home.empty()) {
    if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_dir) home = pw->pw_dir;
  }
  return (home.empty() ? std::string(".") : home) + "/.cache/litrank/models";
}

StatusOr<std::string> PullModel(const std::string& name_or_repo_file, const PullOptions& options) {
  // Promises: never throws; see download.h.
  try {
    return Pull(name_or_repo_file, options);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("model download failed: ") + e.what());
  } catch (...) {
    return Status::Internal("model download failed: unknown exception");
  }
}

}  // namespace litrank
