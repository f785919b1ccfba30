// Synthetic tiny models shared by the tests: written once per test process into a
// temporary folder (random weights: scores mean nothing, only invariants are tested).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "litrank/synth.h"

namespace litrank::testing {

/// Folder for this process's temporary files, removed at exit.
inline const std::string& TempDir() {
  static const std::string dir = [] {
    namespace fs = std::filesystem;
    fs::path p = fs::temp_directory_path() / ("litrank-test-" + std::to_string(::getpid()));
    fs::create_directories(p);
    static struct Cleanup { fs::path p; ~Cleanup() { std::error_code ec; fs::remove_all(p, ec); } } cleanup{p};
    return p.string();
  }();
  return dir;
}

/// Path of a tiny synthetic model of `kind` ("reranker", "generator", "embedding",
/// "broken"), f16 weights, seed 42; written on first use.
inline std::string TinyModel(const std::string& kind, const std::string& type = "f16") {
  static std::map<std::string, std::string> made;
  const std::string key = kind + "-" + type;
  if (auto it = made.find(key); it != made.end()) return it->second;
  SynthOptions o;
  o.kind = kind == "broken" ? "reranker" : kind;
  if (kind == "cross-encoder") o.vocab_path = std::string(LITRANK_LLAMA_MODELS_DIR) + "/ggml-vocab-bert-bge.gguf";
  o.omit_cls_output = kind == "broken";
  o.type = type;
  if (o.vocab_path.empty()) o.vocab_path = LITRANK_TEST_VOCAB;
  const std::string path = TempDir() + "/tiny-" + key + ".gguf";
  const Status st = WriteSynthModel(o, path);
  EXPECT_TRUE(st.ok()) << st.ToString();
  made[key] = path;
  return path;
}

}  // namespace litrank::testing
