// Test entry point: quiet llama.cpp's logging unless LITRANK_TEST_VERBOSE is set.
#include <gtest/gtest.h>

#include <cstdlib>

#include "llama.h"

int main(int argc, char** argv) {
  if (!std::getenv("LITRANK_TEST_VERBOSE")) {
    llama_log_set([](ggml_log_level, const char*, void*) {}, nullptr);
  }
  llama_backend_init();
  ::testing::InitGoogleTest(&argc, argv);
  const int rc = RUN_ALL_TESTS();
  llama_backend_free();
  return rc;
}
