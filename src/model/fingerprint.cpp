#include "model/fingerprint.h"

#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "gguf.h"

namespace litrank {

StatusOr<std::string> ModelFingerprint(const std::string& path) {
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return Status::IOError("cannot stat " + path + ": " + ec.message());
  gguf_init_params p{true, nullptr};
  gguf_context* g = gguf_init_from_file(path.c_str(), p);
  if (!g) return Status::Corruption(path + " is not a readable GGUF file");
  const uint64_t header = gguf_get_data_offset(g);
  gguf_free(g);

  std::ifstream f(path, std::ios::binary);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr);
  EVP_DigestUpdate(md.get(), &size, sizeof size);
  std::vector<char> buf(std::max<uint64_t>(header, 1 << 16));
  auto hash_range = [&](uint64_t off, uint64_t n) {
    f.seekg(static_cast<std::streamoff>(off));
    f.read(buf.data(), static_cast<std::streamsize>(n));
    EVP_DigestUpdate(md.get(), buf.data(), static_cast<size_t>(f.gcount()));
    f.clear();
  };
  hash_range(0, header);
  constexpr uint64_t kSamples = 64, kChunk = 1 << 16;
  const uint64_t data = size > header ? size - header : 0;
  for (uint64_t i = 0; i < kSamples && data > 0; ++i) {
    hash_range(header + (data > kChunk ? (data - kChunk) * i / (kSamples - 1) : 0), std::min(kChunk, data));
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(md.get(), out, &len);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < len; ++i) hex += kHex[out[i] >> 4], hex += kHex[out[i] & 15];
  return hex;
}

}  // namespace litrank
