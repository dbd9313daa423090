// One pipeline's upload of one object (an init segment or media segment n): the bytes as
// they arrive, in immutable pieces that readers share without copying, and what is known
// about it. A candidate is written once: writing → complete (with the pipeline's defects and
// the origin's own checks) or aborted (never served).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "net/waiter.h"

namespace onair::origin {

enum class Pipeline { kA = 0, kB = 1 };
inline const char* PipelineName(int p) { return p == 0 ? "A" : "B"; }

class Candidate {
 public:
  enum class State { kWriting, kComplete, kAborted };
  using Piece = std::shared_ptr<const std::string>;

  Candidate(int pipeline, uint64_t write_id) : pipeline_(pipeline), write_id_(write_id) {}
  // A candidate that exists only on disk (after a restart or once out of the window).
  static std::shared_ptr<Candidate> OnDisk(int pipeline, uint64_t write_id, std::string path,
                                           int64_t size, std::vector<std::string> defects,
                                           UtcMicros completed_at);

  int pipeline() const { return pipeline_; }
  uint64_t write_id() const { return write_id_; }

  void Append(std::string bytes);
  void Complete(std::vector<std::string> defects, UtcMicros now);
  void Abort();

  // What a reader sees from piece `from` on. When nothing is new and the candidate is still
  // being written, `waiter` (if given) is woken by the next change.
  struct View {
    std::vector<Piece> pieces;
    State state = State::kWriting;
    std::chrono::steady_clock::time_point first_arrival{};  // of pieces[0]
  };
  View Read(size_t from, const std::shared_ptr<net::Waiter>& waiter = nullptr);

  State state() const;
  int64_t size() const;
  std::vector<std::string> defects() const;
  UtcMicros completed_at() const;
  std::string etag() const;  // "A-<write id>"
  // Where it is on disk ("" while not persisted) and dropping the bytes from memory.
  std::string disk_path() const;
  void SetDiskPath(std::string path);
  void SetDiskFailed() { disk_failed_ = true; }
  bool disk_failed() const { return disk_failed_; }
  bool in_memory() const;
  bool DropFromMemory();  // only when persisted; true if dropped
  // For a candidate that is on disk only: loads the bytes (once) and returns them.
  std::vector<Piece> LoadFromDisk();

 private:
  void WakeAll();

  const int pipeline_;
  const uint64_t write_id_;
  mutable std::mutex mu_;
  State state_ = State::kWriting;
  std::vector<Piece> pieces_;
  std::vector<std::chrono::steady_clock::time_point> arrivals_;  // of each piece
  int64_t size_ = 0;
  std::vector<std::string> defects_;
  UtcMicros completed_at_ = 0;
  std::string disk_path_;
  bool in_memory_ = true;
  std::atomic<bool> disk_failed_{false};
  std::vector<std::weak_ptr<net::Waiter>> waiters_;
};

}  // namespace onair::origin
