// Loopback networking helpers for benchmarks and tests.
#pragma once

namespace litrank {

/// A TCP port on 127.0.0.1 that was free a moment ago (bound, read back, released).
int FreeLoopbackPort();

}  // namespace litrank
