// Synchronisation for tests that order events across threads without sleeps: a
// one-shot Event, and a Gate that holds a hook (e.g. the rerank scheduler's
// before_round) at one point until the test lets it go.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>

namespace litrank::testing {

/// A one-shot event that may be fired any number of times, from any thread.
class Event {
 public:
  void Fire() {
    if (!fired_.exchange(true)) promise_.set_value();
  }
  bool fired() const { return fired_; }
  /// Whether it fired within `seconds`: a bound on a hang, never a race.
  bool Wait(int seconds = 120) { return future_.wait_for(std::chrono::seconds(seconds)) == std::future_status::ready; }

 private:
  std::atomic<bool> fired_{false};
  std::promise<void> promise_;
  std::shared_future<void> future_ = promise_.get_future().share();
};

/// Holds whoever calls At(n) with n == `at` until Release(); Reached() says it got
/// there. Shared, so a hook may keep it alive; released when the last Gate handle
/// the test holds goes (so a failing test never leaves a thread stuck).
class Gate {
 public:
  explicit Gate(uint64_t at) : state_(std::make_shared<State>()) { state_->at = at; }
  ~Gate() { state_->released.Fire(); }
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;
  /// For hooks: blocks when `n` is the gate's point, until released.
  std::function<void(uint64_t)> Hook() const {
    return [s = state_](uint64_t n) {
      if (n != s->at) return;
      s->reached.Fire();
      s->released.Wait();
    };
  }
  bool Reached(int seconds = 120) { return state_->reached.Wait(seconds); }
  void Release() { state_->released.Fire(); }

 private:
  struct State {
    uint64_t at = 0;
    Event reached, released;
  };
  std::shared_ptr<State> state_;
};

/// Combines hooks: each sees every call.
inline std::function<void(uint64_t)> Both(std::function<void(uint64_t)> a, std::function<void(uint64_t)> b) {
  return [a, b](uint64_t n) {
    a(n);
    b(n);
  };
}

}  // namespace litrank::testing
