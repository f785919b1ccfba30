#include "util/hash.h"

#include <openssl/evp.h>

#include <cstdint>

namespace litrank {

std::string Sha256Fields(std::initializer_list<std::string_view> fields) {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_DigestInit_ex(md, EVP_sha256(), nullptr);
  for (std::string_view field : fields) {
    const uint64_t n = field.size();
    EVP_DigestUpdate(md, &n, sizeof n);
    EVP_DigestUpdate(md, field.data(), field.size());
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(md, out, &len);
  EVP_MD_CTX_free(md);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string ToHex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

}  // namespace litrank
