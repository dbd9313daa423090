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
#include "net/streamed_body.h"

namespace onair::origin {

enum class Pipeline { kA = 0, kB = 1 };
inline const char* PipelineName(int p) { return p == 0 ? "A" : "B"; }

class Candidate {
 public:
  using State = net::StreamedBody::State;  // kGrowing (being written), kComplete, kFailed
  using Piece = net::StreamedBody::Piece;
  using View = net::StreamedBody::View;

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

  // What a reader sees from piece `from` on (see net::StreamedBody::Read).
  View Read(size_t from, const std::shared_ptr<net::Waiter>& waiter = nullptr) {
    return body_.Read(from, waiter);
  }

  State state() const { return body_.state(); }
  int64_t size() const { return disk_size_ >= 0 ? disk_size_ : body_.size(); }
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
  // A candidate whose body is already whole.
  Candidate(int pipeline, uint64_t write_id, std::vector<Piece> whole)
      : pipeline_(pipeline), write_id_(write_id), body_(std::move(whole)) {}

  const int pipeline_;
  const uint64_t write_id_;
  net::StreamedBody body_;
  int64_t disk_size_ = -1;  // of a candidate that was loaded from disk only
  mutable std::mutex mu_;   // what follows
  std::vector<std::string> defects_;
  UtcMicros completed_at_ = 0;
  std::string disk_path_;
  bool in_memory_ = true;
  std::atomic<bool> disk_failed_{false};
};

}  // namespace onair::origin
