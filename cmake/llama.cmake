# Brings in llama.cpp (ggml + llama) at the pinned commit, built statically as
# part of this project. Source: LITRANK_LLAMA_SRC (a checkout at the pinned
# commit) or, by default, the git bundle inside the npm package
# node-llama-cpp@3.22.1, fetched by scripts/fetch-llama.sh into .cache/.
set(LITRANK_LLAMA_COMMIT "de3ff815ea7d559ee917f063901b8986f038abc6")
if(NOT LITRANK_LLAMA_SRC AND DEFINED ENV{LITRANK_LLAMA_SRC})
  set(LITRANK_LLAMA_SRC "$ENV{LITRANK_LLAMA_SRC}")
endif()
if(NOT LITRANK_LLAMA_SRC)
  set(LITRANK_LLAMA_SRC "${CMAKE_SOURCE_DIR}/.cache/llama.cpp")
  execute_process(
    COMMAND "${CMAKE_SOURCE_DIR}/scripts/fetch-llama.sh" "${LITRANK_LLAMA_SRC}"
    RESULT_VARIABLE _fetch_rc)
  if(NOT _fetch_rc EQUAL 0)
    message(FATAL_ERROR "could not fetch llama.cpp (see the message above)")
  endif()
endif()
execute_process(COMMAND git -C "${LITRANK_LLAMA_SRC}" rev-parse HEAD
                OUTPUT_VARIABLE _llama_head OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _llama_head STREQUAL LITRANK_LLAMA_COMMIT)
  message(FATAL_ERROR "llama.cpp at ${LITRANK_LLAMA_SRC} is at '${_llama_head}', "
                      "litrank is pinned to ${LITRANK_LLAMA_COMMIT}")
endif()
message(STATUS "litrank: llama.cpp ${_llama_head} from ${LITRANK_LLAMA_SRC}")

set(BUILD_SHARED_LIBS OFF CACHE BOOL "" FORCE)
if(LITRANK_PORTABLE)
  set(GGML_NATIVE OFF CACHE BOOL "" FORCE)
else()
  set(GGML_NATIVE ON CACHE BOOL "" FORCE)
endif()
set(GGML_CUDA ${LITRANK_CUDA} CACHE BOOL "" FORCE)
set(LLAMA_BUILD_TESTS OFF CACHE BOOL "" FORCE)
set(LLAMA_BUILD_EXAMPLES OFF CACHE BOOL "" FORCE)
set(LLAMA_BUILD_APP OFF CACHE BOOL "" FORCE)
set(LLAMA_BUILD_COMMON ${LITRANK_ANCHORS} CACHE BOOL "" FORCE)
set(LLAMA_BUILD_TOOLS ${LITRANK_ANCHORS} CACHE BOOL "" FORCE)
set(LLAMA_BUILD_SERVER ${LITRANK_ANCHORS} CACHE BOOL "" FORCE)
set(LLAMA_BUILD_UI OFF CACHE BOOL "" FORCE)          # no npm build of the web UI
set(LLAMA_USE_PREBUILT_UI OFF CACHE BOOL "" FORCE)   # no download from Hugging Face
set(LLAMA_OPENSSL OFF CACHE BOOL "" FORCE)
set(LLAMA_ALL_WARNINGS OFF CACHE BOOL "" FORCE)

add_subdirectory("${LITRANK_LLAMA_SRC}" "${CMAKE_BINARY_DIR}/llama.cpp" EXCLUDE_FROM_ALL SYSTEM)

# llama.cpp's JSON-schema-to-grammar converter (extract/json_schema.cpp) and the four
# files it needs, and nothing else of its common library: that library also holds a
# downloader built on its own cpp-httplib, which must not meet Debian's (the server's)
# at link time. json.cpp compiles against llama.cpp's vendored nlohmann/json (3.12; its
# ABI namespace differs from Debian's 3.11, so both live in one binary).
set(_common "${LITRANK_LLAMA_SRC}/common")
add_library(litrank_llama_grammar STATIC
  ${_common}/json-schema-to-grammar.cpp ${_common}/json-schema.cpp ${_common}/json.cpp
  ${_common}/trie.cpp ${_common}/unicode.cpp ${CMAKE_CURRENT_LIST_DIR}/llama_common_strings.cpp)
target_include_directories(litrank_llama_grammar SYSTEM PUBLIC ${_common} PRIVATE ${LITRANK_LLAMA_SRC}/vendor)
target_link_libraries(litrank_llama_grammar PUBLIC llama ggml)
target_compile_features(litrank_llama_grammar PUBLIC cxx_std_17)

if(LITRANK_ANCHORS)
  add_custom_target(litrank-anchors ALL DEPENDS llama-server llama-bench)
  set(LITRANK_LLAMA_SERVER "${CMAKE_BINARY_DIR}/bin/llama-server")
  set(LITRANK_LLAMA_BENCH  "${CMAKE_BINARY_DIR}/bin/llama-bench")
endif()
set(LITRANK_QWEN_VOCAB "${LITRANK_LLAMA_SRC}/models/ggml-vocab-qwen2.gguf")
