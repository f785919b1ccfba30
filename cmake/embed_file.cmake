# Writes OUTPUT, a C++ source defining litrank::server::IndexHtml() as the bytes of INPUT.
# Usage: cmake -DINPUT=web/index.html -DOUTPUT=web_assets.cpp -P embed_file.cmake
file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE "${OUTPUT}.tmp" "// Generated from ${INPUT} by cmake/embed_file.cmake; do not edit.\n"
  "#include \"server/web_assets.h\"\n\nnamespace litrank::server {\nnamespace {\n"
  "const unsigned char kIndexHtml[] = {\n${bytes}0x00};\n}  // namespace\n\n"
  "std::string_view IndexHtml() { return {reinterpret_cast<const char*>(kIndexHtml), sizeof kIndexHtml - 1}; }\n\n"
  "}  // namespace litrank::server\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
