#include "origin/candidate.h"

#include <fstream>
#include <sstream>

namespace onair::origin {

std::shared_ptr<Candidate> Candidate::OnDisk(int pipeline, uint64_t write_id, std::string path,
                                             int64_t size, std::vector<std::string> defects,
                                             UtcMicros completed_at) {
  auto c = std::make_shared<Candidate>(pipeline, write_id);
  c->state_ = State::kComplete;
  c->disk_path_ = std::move(path);
  c->size_ = size;
  c->defects_ = std::move(defects);
  c->completed_at_ = completed_at;
  c->in_memory_ = false;
  return c;
}

void Candidate::Append(std::string bytes) {
  if (bytes.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ != State::kWriting) return;
  size_ += static_cast<int64_t>(bytes.size());
  pieces_.push_back(std::make_shared<const std::string>(std::move(bytes)));
  arrivals_.push_back(std::chrono::steady_clock::now());
  WakeAll();
}

void Candidate::Complete(std::vector<std::string> defects, UtcMicros now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ != State::kWriting) return;
  state_ = State::kComplete;
  defects_ = std::move(defects);
  completed_at_ = now;
  WakeAll();
}

void Candidate::Abort() {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ != State::kWriting) return;
  state_ = State::kAborted;
  pieces_.clear();
  arrivals_.clear();
  WakeAll();
}

void Candidate::WakeAll() {
  for (auto& w : waiters_) {
    if (auto waiter = w.lock()) waiter->Wake();
  }
  waiters_.clear();
}

Candidate::View Candidate::Read(size_t from, const std::shared_ptr<net::Waiter>& waiter) {
  std::lock_guard<std::mutex> lock(mu_);
  View v;
  v.state = state_;
  if (from < pieces_.size()) {
    v.pieces.assign(pieces_.begin() + static_cast<std::ptrdiff_t>(from), pieces_.end());
    if (from < arrivals_.size()) v.first_arrival = arrivals_[from];
  } else if (state_ == State::kWriting && waiter) {
    waiters_.push_back(waiter);
  }
  return v;
}

Candidate::State Candidate::state() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

int64_t Candidate::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return size_;
}

std::vector<std::string> Candidate::defects() const {
  std::lock_guard<std::mutex> lock(mu_);
  return defects_;
}

UtcMicros Candidate::completed_at() const {
  std::lock_guard<std::mutex> lock(mu_);
  return completed_at_;
}

std::string Candidate::etag() const {
  return std::string("\"") + PipelineName(pipeline_) + "-" + std::to_string(write_id_) + "\"";
}

std::string Candidate::disk_path() const {
  std::lock_guard<std::mutex> lock(mu_);
  return disk_path_;
}

void Candidate::SetDiskPath(std::string path) {
  std::lock_guard<std::mutex> lock(mu_);
  disk_path_ = std::move(path);
}

bool Candidate::in_memory() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_memory_;
}

bool Candidate::DropFromMemory() {
  std::lock_guard<std::mutex> lock(mu_);
  if (disk_path_.empty() || state_ != State::kComplete) return false;
  pieces_.clear();
  pieces_.shrink_to_fit();
  arrivals_.clear();
  arrivals_.shrink_to_fit();
  in_memory_ = false;
  return true;
}

std::vector<Candidate::Piece> Candidate::LoadFromDisk() {
  std::string path;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (in_memory_) return pieces_;
    path = disk_path_;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::stringstream ss;
  ss << in.rdbuf();
  std::string bytes = ss.str();
  if (static_cast<int64_t>(bytes.size()) != size()) return {};  // damaged on disk: not served
  return {std::make_shared<const std::string>(std::move(bytes))};
}

}  // namespace onair::origin
