#include "bench_support.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include <curl/curl.h>

#include "io/document_reader.h"
#include "litrank/synth.h"
#include "llama.h"
#include "rerank/prompt.h"
#include "util/loopback.h"

namespace litrank::bench {
namespace {

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

/// HTTP request to 127.0.0.1; returns the status code (0 on connection failure).
long Http(int port, const std::string& path, const std::string* body, std::string* reply) {
  CURL* c = curl_easy_init();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + path;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, reply);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 3600L);
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  if (body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  }
  long code = 0;
  if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
  return code;
}

}  // namespace

StatusOr<std::vector<std::string>> MakeDocuments(const std::string& model, const std::string& samples,
                                                 size_t n, size_t tokens) {
  std::vector<InputDocument> src;
  LITRANK_RETURN_IF_ERROR(ReadDocuments(samples, {}, &src, nullptr));
  if (src.empty()) return Status::NotFound("no sample documents in " + samples);
  llama_model_params p = llama_model_default_params();
  p.vocab_only = true;
  std::unique_ptr<llama_model, decltype(&llama_model_free)> m(llama_model_load_from_file(model.c_str(), p), llama_model_free);
  if (!m) return Status::Corruption("cannot load the vocabulary of " + model);
  const llama_vocab* vocab = llama_model_get_vocab(m.get());
  std::vector<std::string> words;
  for (const auto& d : src) {
    std::istringstream in(d.text);
    for (std::string w; in >> w;) words.push_back(w);
  }
  std::vector<std::string> docs;
  size_t next = 0;
  for (size_t i = 0; i < n; ++i) {
    std::string text;
    next = (i * 97) % words.size();  // each document starts somewhere else
    while (Tokenize(vocab, " " + text, false).size() < tokens) {
      text += (text.empty() ? "" : " ") + words[next++ % words.size()];
    }
    docs.push_back(text);
  }
  return docs;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double rank = std::ceil(p / 100.0 * static_cast<double>(v.size()));
  const size_t index = rank < 1 ? 0 : std::min(v.size() - 1, static_cast<size_t>(rank) - 1);
  return v[index];
}

std::string WriteBenchJson(const std::string& out_dir, const std::string& name, const std::string& records_json) {
  std::filesystem::create_directories(out_dir);
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::gmtime(&now));
  const std::string out = out_dir + "/" + name + "-" + stamp + ".json";
  std::ofstream(out) << "{\n  \"benchmark\": \"" << name << "\",\n  \"records\": " << records_json << "\n}\n";
  return out;
}

double PeakRssMiB(pid_t pid) {
  std::ifstream f("/proc/" + (pid > 0 ? std::to_string(pid) : std::string("self")) + "/status");
  for (std::string line; std::getline(f, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

double CurrentRssMiB() {
  std::ifstream f("/proc/self/status");
  for (std::string line; std::getline(f, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

void ResetOwnPeakRss() { std::ofstream("/proc/self/clear_refs") << "5"; }

LlamaServer::LlamaServer(const std::string& binary, const std::string& model, int threads, int parallel,
                         const std::vector<std::string>& mode_args) {
  port_ = FreeLoopbackPort();
  const std::string t = std::to_string(threads), np = std::to_string(parallel), port = std::to_string(port_);
  const std::string ctx = std::to_string(4096 * parallel);
  std::vector<std::string> args = {binary, "-m", model};
  args.insert(args.end(), mode_args.begin(), mode_args.end());
  for (const char* a : {"--host", "127.0.0.1", "--port"}) args.emplace_back(a);
  args.push_back(port);
  for (const std::string& a : {std::string("-t"), t, std::string("-tb"), t, std::string("-np"), np, std::string("-c"), ctx,
                               std::string("-b"), std::string("2048"), std::string("-ub"), std::string("2048"),
                               std::string("--no-webui")}) {
    args.push_back(a);
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_ = fork();
  if (pid_ == 0) {
    FILE* log = std::fopen("/dev/null", "w");
    if (log) dup2(fileno(log), 1), dup2(fileno(log), 2);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  for (int i = 0; i < 1200 && !ready_; ++i) {
    std::string reply;
    ready_ = Http(port_, "/health", nullptr, &reply) == 200;
    if (!ready_) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

LlamaServer::~LlamaServer() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  waitpid(pid_, nullptr, 0);
}

long LlamaServer::Post(const std::string& path, const std::string& body, std::string* reply) const {
  reply->clear();
  return Http(port_, path, &body, reply);
}

double LlamaServer::TimeRerank(const std::string& query, const std::vector<std::string>& docs) {
  const std::string body = nlohmann::json{{"query", query}, {"documents", docs}, {"top_n", docs.size()}}.dump();
  std::string reply;
  const auto t0 = std::chrono::steady_clock::now();
  const long code = Http(port_, "/v1/rerank", &body, &reply);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return code == 200 ? s : -1;
}

bool RunCapture(const std::string& command, std::string* out) {
  out->clear();
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return false;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out->append(buf, n);
  return pclose(p) == 0;
}

StatusOr<std::string> SyntheticModel06B(const std::string& models_dir, const std::string& kind, const std::string& type) {
  std::filesystem::create_directories(models_dir);
  const std::string path = models_dir + "/synthetic-qwen3-" + kind + "-0.6b-" + type + ".gguf";
  if (std::filesystem::exists(path)) return path;
  std::fprintf(stderr, "bench: writing random-weight Qwen3-0.6B-shape %s %s\n", kind.c_str(), path.c_str());
  SynthOptions o;
  o.kind = kind;
  o.shape = "qwen3-0.6b";
  o.type = type;
  LITRANK_RETURN_IF_ERROR(WriteSynthModel(o, path));
  return path;
}

double LlamaBenchPp512(const std::string& binary, const std::string& model, int threads) {
  const std::string cmd = binary + " -m '" + model + "' -p 512 -n 0 -r 2 -t " + std::to_string(threads) + " -o json 2>/dev/null";
  std::string out;
  RunCapture(cmd, &out);
  try {
    const auto j = nlohmann::json::parse(out);
    return j.at(0).at("avg_ts").get<double>();
  } catch (...) {
    return -1;
  }
}

}  // namespace litrank::bench
