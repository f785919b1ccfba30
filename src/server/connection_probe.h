// Tells whether the client of a request is still there. cpp-httplib 0.11 (Debian 12)
// does not expose the socket to handlers, so the probe finds it by its peer address
// (the accepted socket whose remote end is req.remote_addr:remote_port) and peeks it.
#pragma once

#include <string>

namespace litrank::server {

/// The connection of one request.
class ConnectionProbe {
 public:
  /// Finds the socket whose peer is ip:port; an unfound socket is never "closed".
  ConnectionProbe(const std::string& ip, int port);
  /// True once the peer has closed or reset the connection. Cheap (one poll).
  bool PeerClosed() const;

 private:
  int fd_ = -1;
};

}  // namespace litrank::server
