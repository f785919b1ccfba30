// Tests for PullModel against a local cpp-httplib server that imitates Hugging Face.
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "litrank/download.h"

namespace litrank {
namespace {

namespace fs = std::filesystem;

std::string Sha256Hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) (hex += kHex[md[i] >> 4]) += kHex[md[i] & 15];
  return hex;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const fs::path& p, const std::string& data) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << data;
}

// Sets (or unsets, for nullopt) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) setenv(name, value->c_str(), 1); else unsetenv(name);
  }
  ~ScopedEnv() { if (old_) setenv(name_, old_->c_str(), 1); else unsetenv(name_); }
 private:
  const char* name_;
  std::optional<std::string> old_;
};

// One request the server saw.
struct Hit {
  std::string method, path, range, auth;
};

class DownloadTest : public ::testing::Test {
 protected:
  static constexpr size_t kSize = 300 * 1024;

  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("litrank_dl_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(dir_);
    uint32_t x = 12345;
    for (size_t i = 0; i < kSize; ++i) content_ += static_cast<char>((x = x * 1664525u + 1013904223u) >> 24);
    sha_ = Sha256Hex(content_);
    etag_ = sha_;

    server_.Get(R"((/mirror)?/OWNER/REPO/resolve/main/model\.gguf)", [this](const httplib::Request& req,
                                                                          httplib::Response& res) {
      Record(req);
      res.set_header("ETag", "\"" + etag_ + "\"");
      if (ignore_range_) {  // a chunked 200 with the whole body, whatever Range asked for
        res.status = 200;
        res.set_chunked_content_provider("application/octet-stream", [this](size_t off, httplib::DataSink& sink) {
          if (off == 0) sink.write(content_.data(), content_.size()); else sink.done();
          return true;
        });
      } else if (req.method == "GET" && drop_after_ && gets_++ == 0) {  // first GET dies midway
        res.set_content_provider(kSize, "application/octet-stream",
                                 [this](size_t off, size_t len, httplib::DataSink& sink) {
          if (off >= drop_after_) return false;
          sink.write(content_.data() + off, std::min(len, drop_after_ - off));
          return true;
        });
      } else {
        res.set_content(content_, "application/octet-stream");  // answers Range with 206
      }
    });
    server_.Get("/OWNER/REPO/resolve/main/redirected.gguf", [this](const httplib::Request& req,
                                                                  httplib::Response& res) {
      Record(req);  // like HF for LFS files: the hash and size are on the 302 itself
      res.status = 302;
      res.set_header("Location", "/cdn/blob?sig=abc");
      res.set_header("X-Linked-Etag", "\"" + etag_ + "\"");
      res.set_header("X-Linked-Size", std::to_string(kSize));
    });
    server_.Get("/cdn/blob", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      res.set_header("ETag", "\"d41d8cd98f00b204e9800998ecf8427e\"");  // an md5, not a sha256
      res.set_content(content_, "application/octet-stream");
    });
    server_.Get("/OWNER/PRIVATE/resolve/main/model.gguf", [this](const httplib::Request& req,
                                                                httplib::Response& res) {
      Record(req);
      res.status = 401;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // The socket listens already; one answered request (a 404, not recorded) proves
    // the accept loop runs, so TearDown's stop() cannot come before it and be lost.
    httplib::Client probe("127.0.0.1", port_);
    auto res = probe.Get("/probe");
    ASSERT_TRUE(res) << "the mirror did not answer";
    ASSERT_EQ(res->status, 404);
  }

  void TearDown() override {
    server_.stop();
    thread_.join();
    fs::remove_all(dir_);
  }

  void Record(const httplib::Request& req) {
    std::lock_guard<std::mutex> lock(mu_);
    hits_.push_back({req.method, req.path, req.get_header_value("Range"), req.get_header_value("Authorization")});
  }
  std::vector<Hit> Hits() {
    std::lock_guard<std::mutex> lock(mu_);
    return hits_;
  }
  std::vector<Hit> Gets() {
    std::vector<Hit> gets;
    for (const Hit& h : Hits()) if (h.method == "GET") gets.push_back(h);
    return gets;
  }

  std::string Base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  PullOptions Opts() const {
    PullOptions o;
    o.endpoint = Base();
    o.cache_dir = dir_.string();
    return o;
  }
  fs::path Dest(const std::string& file = "model.gguf") const { return dir_ / "OWNER__REPO" / file; }
  fs::path Part() const { return Dest().string() + ".part"; }

  ScopedEnv no_endpoint_{"HF_ENDPOINT", std::nullopt};  // the developer's own settings must not leak in
  ScopedEnv no_token_{"HF_TOKEN", std::nullopt};
  fs::path dir_;
  std::string content_, sha_, etag_;
  bool ignore_range_ = false;
  size_t drop_after_ = 0;
  std::atomic<int> gets_{0};
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Hit> hits_;
};

TEST_F(DownloadTest, FullDownloadMatchesAndLeavesNoPart) {
  PullOptions o = Opts();
  uint64_t last_done = 0, last_total = 0;
  o.on_progress = [&](uint64_t done, uint64_t total) { last_done = done, last_total = total; };
  StatusOr<std::string> path = PullModel("OWNER/REPO/model.gguf", o);
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(*path, Dest().string());
  EXPECT_EQ(ReadFile(Dest()), content_);
  EXPECT_FALSE(fs::exists(Part()));
  EXPECT_EQ(last_done, kSize);
  EXPECT_EQ(last_total, kSize);
  for (const Hit& h : Hits()) EXPECT_EQ(h.auth, "") << "no token, no Authorization header";
}

TEST_F(DownloadTest, ExistingCompleteFileIsReturnedWithoutGet) {
  WriteFile(Dest(), content_);
  StatusOr<std::string> path = PullModel("OWNER/REPO/model.gguf", Opts());
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(*path, Dest().string());
  EXPECT_TRUE(Gets().empty());
}

TEST_F(DownloadTest, ResumesFromExistingPart) {
  const size_t n = 123457;
  WriteFile(Part(), content_.substr(0, n));
  PullOptions o = Opts();
  uint64_t first_done = 0;
  o.on_progress = [&](uint64_t done, uint64_t) { if (!first_done) first_done = done; };
  StatusOr<std::string> path = PullModel("OWNER/REPO/model.gguf", o);
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(ReadFile(Dest()), content_);
  EXPECT_FALSE(fs::exists(Part()));
  const std::vector<Hit> gets = Gets();
  ASSERT_EQ(gets.size(), 1u);
  EXPECT_EQ(gets[0].range, "bytes=" + std::to_string(n) + "-");
  EXPECT_GE(first_done, n);
}

TEST_F(DownloadTest, ResumesAfterDroppedConnection) {
  drop_after_ = 100000;
  StatusOr<std::string> path = PullModel("OWNER/REPO/model.gguf", Opts());
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(ReadFile(Dest()), content_);
  const std::vector<Hit> gets = Gets();
  ASSERT_EQ(gets.size(), 2u);
  EXPECT_EQ(gets[0].range, "");
  EXPECT_EQ(gets[1].range, "bytes=100000-");
}

TEST_F(DownloadTest, ServerIgnoringRangeRestartsFromZero) {
  ignore_range_ = true;
  WriteFile(Part(), content_.substr(0, 5000));
  StatusOr<std::string> path = PullModel("OWNER/REPO/model.gguf", Opts());
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(ReadFile(Dest()), content_);
  EXPECT_FALSE(fs::exists(Part()));
  const std::vector<Hit> gets = Gets();
  ASSERT_EQ(gets.size(), 2u);
  EXPECT_EQ(gets[0].range, "bytes=5000-");
  EXPECT_EQ(gets[1].range, "");
}

TEST_F(DownloadTest, StalePartFromAnotherRevisionIsRedownloaded) {
  WriteFile(Part(), std::string(5000, 'x'));  // resumes, fails the hash, then starts over
  StatusOr<std::string> path = PullModel("OWNER/REPO/model.gguf", Opts());
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(ReadFile(Dest()), content_);
  const std::vector<Hit> gets = Gets();
  ASSERT_EQ(gets.size(), 2u);
  EXPECT_EQ(gets[0].range, "bytes=5000-");
  EXPECT_EQ(gets[1].range, "");
}

TEST_F(DownloadTest, ChecksumMismatchLeavesNothingBehind) {
  etag_ = std::string(64, 'a');
  StatusOr<std::string> path = PullModel("OWNER/REPO/model.gguf", Opts());
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().code(), Status::Code::kChecksumMismatch);
  EXPECT_NE(path.status().message().find(etag_), std::string::npos) << path.status().message();
  EXPECT_NE(path.status().message().find(sha_), std::string::npos) << path.status().message();
  EXPECT_FALSE(fs::exists(Dest()));
  EXPECT_FALSE(fs::exists(Part()));
}

TEST_F(DownloadTest, MissingFileIsNotFound) {
  StatusOr<std::string> path = PullModel("OWNER/REPO/missing.gguf", Opts());
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().code(), Status::Code::kNotFound);
  EXPECT_NE(path.status().message().find(Base() + "/OWNER/REPO/resolve/main/missing.gguf"), std::string::npos);
  EXPECT_FALSE(fs::exists(Dest("missing.gguf")));
}

TEST_F(DownloadTest, UnauthorizedMentionsHfToken) {
  StatusOr<std::string> path = PullModel("OWNER/PRIVATE/model.gguf", Opts());
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().code(), Status::Code::kNetworkError);
  EXPECT_NE(path.status().message().find("HF_TOKEN"), std::string::npos);
}

TEST_F(DownloadTest, ConnectionRefusedIsNetworkError) {
  PullOptions o = Opts();
  o.endpoint = "http://127.0.0.1:1";
  StatusOr<std::string> path = PullModel("OWNER/REPO/model.gguf", o);
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().code(), Status::Code::kNetworkError);
}

TEST_F(DownloadTest, HfEndpointEnvIsHonoured) {
  ScopedEnv env("HF_ENDPOINT", Base() + "/mirror/");
  PullOptions o = Opts();
  o.endpoint = "";
  StatusOr<std::string> path = PullModel("OWNER/REPO/model.gguf", o);
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(ReadFile(Dest()), content_);
  ASSERT_FALSE(Hits().empty());
  for (const Hit& h : Hits()) EXPECT_EQ(h.path, "/mirror/OWNER/REPO/resolve/main/model.gguf");
}

TEST_F(DownloadTest, HfTokenIsSentAsBearer) {
  ScopedEnv env("HF_TOKEN", "hf_secret");
  StatusOr<std::string> path = PullModel("OWNER/REPO/model.gguf", Opts());
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  ASSERT_FALSE(Hits().empty());
  for (const Hit& h : Hits()) EXPECT_EQ(h.auth, "Bearer hf_secret");
  PullOptions o = Opts();  // an explicit token wins over HF_TOKEN
  o.token = "from_options";
  ASSERT_TRUE(PullModel("OWNER/REPO/model.gguf", o).ok());  // file present: just the HEAD
  EXPECT_EQ(Hits().back().auth, "Bearer from_options");
}

TEST_F(DownloadTest, RedirectWithLinkedEtagLikeHuggingFace) {
  StatusOr<std::string> path = PullModel("OWNER/REPO/redirected.gguf", Opts());
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(ReadFile(Dest("redirected.gguf")), content_);
  const std::vector<Hit> gets = Gets();
  ASSERT_EQ(gets.size(), 2u);
  EXPECT_EQ(gets[1].path, "/cdn/blob");
  for (const Hit& h : Hits()) {
    if (h.method == "HEAD") {
      EXPECT_EQ(h.path, "/OWNER/REPO/resolve/main/redirected.gguf") << "HEAD must not follow";
    }
  }
}

TEST_F(DownloadTest, RedirectWithWrongLinkedEtagIsMismatch) {
  etag_ = std::string(64, 'b');  // proves the hash on the 302 is the one checked
  StatusOr<std::string> path = PullModel("OWNER/REPO/redirected.gguf", Opts());
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().code(), Status::Code::kChecksumMismatch);
  EXPECT_FALSE(fs::exists(Dest("redirected.gguf")));
  EXPECT_FALSE(fs::exists(Dest("redirected.gguf").string() + ".part"));
}

TEST_F(DownloadTest, BadNameIsInvalidArgument) {
  for (const char* bad : {"nonsense", "OWNER/REPO", "OWNER/REPO/", "../REPO/x.gguf", "OWNER//x.gguf",
                          "OWNER/REPO/../../etc/passwd", "https://example.com/x.gguf"}) {
    StatusOr<std::string> path = PullModel(bad, Opts());
    ASSERT_FALSE(path.ok()) << bad;
    EXPECT_EQ(path.status().code(), Status::Code::kInvalidArgument) << bad;
    EXPECT_NE(path.status().message().find("qwen3-reranker-0.6b"), std::string::npos);
  }
  EXPECT_TRUE(Hits().empty());
}

TEST_F(DownloadTest, KnownNamesResolve) {
  const std::vector<KnownModel>& models = KnownModels();
  ASSERT_EQ(models.size(), 8u);
  int rerankers = 0, generators = 0;
  for (const KnownModel& m : models) {
    rerankers += m.kind == "reranker";
    generators += m.kind == "generator";
  }
  EXPECT_EQ(rerankers, 3);
  EXPECT_EQ(generators, 2);
  // The server knows none of them, so the NotFound message shows the URL the name became.
  StatusOr<std::string> path = PullModel("qwen3-reranker-0.6b", Opts());
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().code(), Status::Code::kNotFound);
  EXPECT_NE(path.status().message().find(
                Base() + "/mradermacher/Qwen3-Reranker-0.6B-GGUF/resolve/main/Qwen3-Reranker-0.6B.Q8_0.gguf"),
            std::string::npos)
      << path.status().message();
  path = PullModel("qwen3-embedding-8b", Opts());
  EXPECT_NE(path.status().message().find("/Qwen/Qwen3-Embedding-8B-GGUF/resolve/main/Qwen3-Embedding-8B-Q8_0.gguf"),
            std::string::npos);
}

TEST(DefaultModelCacheDirTest, FollowsXdgThenHome) {
  {
    ScopedEnv xdg("XDG_CACHE_HOME", "/xdg/cache");
    EXPECT_EQ(DefaultModelCacheDir(), "/xdg/cache/litrank/models");
  }
  ScopedEnv xdg("XDG_CACHE_HOME", std::nullopt);
  ScopedEnv home("HOME", "/home/someone");
  EXPECT_EQ(DefaultModelCacheDir(), "/home/someone/.cache/litrank/models");
}

}  // namespace
}  // namespace litrank
