// A response body that grows while readers stream it: immutable pieces that every reader
// shares without copying, appended by one writer (an upload at the origin, a fill from
// upstream at the edge), read from any thread. A reader that has caught up registers a Waiter
// and is woken by the next piece or by the end. The body ends complete, or failed (its pieces
// are dropped: a reader must cut its response so that no cache keeps a truncated object).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "net/waiter.h"

namespace onair::net {

class StreamedBody {
 public:
  enum class State { kGrowing, kComplete, kFailed };
  using Piece = std::shared_ptr<const std::string>;
  using TimePoint = std::chrono::steady_clock::time_point;

  StreamedBody() = default;
  // A body already whole (loaded from disk, say).
  explicit StreamedBody(std::vector<Piece> pieces);

  void Append(std::string bytes);  // ignored unless growing
  bool Finish();                   // growing → complete; false if it was not growing
  bool Fail();                     // growing → failed, pieces dropped; false if not growing
  void Drop();                     // a complete body forgets its bytes (kept elsewhere)

  // What a reader sees from piece `from` on. When nothing is new and the body still grows,
  // `waiter` (if given) is woken by the next change.
  struct View {
    std::vector<Piece> pieces;
    State state = State::kGrowing;
    TimePoint first_arrival{};  // of pieces[0], while the arrival times are kept
  };
  View Read(size_t from, const std::shared_ptr<Waiter>& waiter = nullptr);

  State state() const;
  int64_t size() const;  // bytes appended (kept even after Drop)

 private:
  void WakeAll();

  mutable std::mutex mu_;
  State state_ = State::kGrowing;
  std::vector<Piece> pieces_;
  std::vector<TimePoint> arrivals_;
  int64_t size_ = 0;
  std::vector<std::weak_ptr<Waiter>> waiters_;
};

}  // namespace onair::net
