#include "util/text_file.h"

#include <fstream>
#include <iostream>

namespace litrank {

Status WriteTextFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.flush();
  return out ? Status::Ok() : Status::IOError("cannot write " + path);
}

Status ReadTextFile(const std::string& path, size_t max_bytes, std::string* text) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) return Status::IOError("cannot read " + path);
    in = &file;
  }
  text->clear();
  char buf[65536];
  while (in->read(buf, sizeof buf) || in->gcount() > 0) {
    text->append(buf, static_cast<size_t>(in->gcount()));
    if (text->size() > max_bytes) {
      return Status::InvalidArgument((path == "-" ? std::string("stdin") : path) + " is larger than " +
                                     std::to_string(max_bytes) + " bytes");
    }
  }
  if (in->bad()) return Status::IOError("cannot read " + path);
  return Status::Ok();
}

}  // namespace litrank
