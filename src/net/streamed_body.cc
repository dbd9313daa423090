#include "net/streamed_body.h"

namespace onair::net {

StreamedBody::StreamedBody(std::vector<Piece> pieces)
    : state_(State::kComplete), pieces_(std::move(pieces)) {
  for (const auto& p : pieces_) size_ += static_cast<int64_t>(p->size());
}

void StreamedBody::Append(std::string bytes) {
  if (bytes.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ != State::kGrowing) return;
  size_ += static_cast<int64_t>(bytes.size());
  pieces_.push_back(std::make_shared<const std::string>(std::move(bytes)));
  arrivals_.push_back(std::chrono::steady_clock::now());
  WakeAll();
}

bool StreamedBody::Finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ != State::kGrowing) return false;
  state_ = State::kComplete;
  WakeAll();
  return true;
}

bool StreamedBody::Fail() {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ != State::kGrowing) return false;
  state_ = State::kFailed;
  pieces_.clear();
  arrivals_.clear();
  WakeAll();
  return true;
}

void StreamedBody::Drop() {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ != State::kComplete) return;
  pieces_.clear();
  pieces_.shrink_to_fit();
  arrivals_.clear();
  arrivals_.shrink_to_fit();
}

void StreamedBody::WakeAll() {
  for (auto& w : waiters_) {
    if (auto waiter = w.lock()) waiter->Wake();
  }
  waiters_.clear();
}

StreamedBody::View StreamedBody::Read(size_t from, const std::shared_ptr<Waiter>& waiter) {
  std::lock_guard<std::mutex> lock(mu_);
  View v;
  v.state = state_;
  if (from < pieces_.size()) {
    v.pieces.assign(pieces_.begin() + static_cast<std::ptrdiff_t>(from), pieces_.end());
    if (from < arrivals_.size()) v.first_arrival = arrivals_[from];
  } else if (state_ == State::kGrowing && waiter) {
    waiters_.push_back(waiter);
  }
  return v;
}

StreamedBody::State StreamedBody::state() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

int64_t StreamedBody::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return size_;
}

}  // namespace onair::net
