#include "ingest/line_source.h"

#include <cerrno>
#include <cstring>

namespace litrank::ingest {
namespace {
constexpr uint64_t kProgressStep = 1 << 20;
}  // namespace

void ProgressMeter::Update(uint64_t done) {
  if (!callback_ || done < last_ + kProgressStep) return;
  last_ = done;
  callback_(done < total_ ? done : total_, total_);
}

void ProgressMeter::Finish() {
  if (!callback_ || finished_) return;
  finished_ = true;
  callback_(total_, total_);
}

LineSource::LineSource(const std::string& path, ProgressMeter* meter)
    : file_(std::make_unique<std::ifstream>(path, std::ios::binary)), meter_(meter) {
  if (!*file_) status_ = Status::IOError("cannot open " + path + ": " + std::strerror(errno));
}

bool LineSource::Next(std::string_view* line) {
  std::string_view got;
  if (file_ != nullptr) {
    if (!status_.ok()) return false;
    buf_.clear();
    std::streambuf* sb = file_->rdbuf();
    int c = 0;
    bool any = false;
    while ((c = sb->sbumpc()) != std::char_traits<char>::eof()) {
      any = true;
      if (c == '\n') break;
      if (buf_.size() >= kMaxLineBytes) {
        status_ = Status::InvalidArgument("line " + std::to_string(line_no_ + 1) + " is longer than " +
                                          std::to_string(kMaxLineBytes >> 20) + " MiB");
        return false;
      }
      buf_.push_back(static_cast<char>(c));
    }
    if (!any) return false;
    bytes_ += buf_.size() + (c == '\n' ? 1 : 0);
    got = buf_;
    if (meter_ != nullptr) meter_->Update(bytes_);
  } else {
    if (pos_ >= text_.size()) return false;
    size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    got = text_.substr(pos_, end - pos_);
    bytes_ += end - pos_ + (end < text_.size() ? 1 : 0);
    pos_ = end + 1;
  }
  if (!got.empty() && got.back() == '\r') got.remove_suffix(1);
  if (line_no_ == 0 && got.starts_with("\xEF\xBB\xBF")) got.remove_prefix(3);
  ++line_no_;
  *line = got;
  return true;
}

}  // namespace litrank::ingest
