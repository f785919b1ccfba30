// A raw HTTP/1.1 connection to a loopback server, for tests that must control the
// bytes on the wire: send a request's head and hold its body back, or read exactly
// one response.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace litrank::testing {

/// One TCP connection to 127.0.0.1:`port`; closed when destroyed.
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawConnection() { close(fd_); }
  bool connected() const { return connected_; }
  /// Sends all of `bytes`; false when the peer has closed or reset the connection.
  bool Send(const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }
  /// Reads until the peer closes or a whole response (head + Content-Length body) is in.
  std::string ReadResponse() {
    std::string in;
    char buf[4096];
    while (true) {
      const size_t head_end = in.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        const size_t cl = in.find("Content-Length: ");
        if (cl != std::string::npos && cl < head_end) {
          const size_t len = std::stoul(in.substr(cl + 16));
          if (in.size() >= head_end + 4 + len) return in;
        }
      }
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return in;
      in.append(buf, static_cast<size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

/// The head of a JSON POST to `path` declaring `content_length` body bytes.
inline std::string Head(const std::string& path, size_t content_length) {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(content_length) + "\r\n\r\n";
}

}  // namespace litrank::testing
