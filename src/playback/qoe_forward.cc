#include "playback/qoe_forward.h"

namespace onair::playback {

QoeForwarder::QoeForwarder(net::Url metrics, std::string target, MetricsRegistry& m,
                           size_t max_pending)
    : metrics_(std::move(metrics)),
      target_(std::move(target)),
      max_pending_(max_pending),
      forwarded_(m.counter("onair_playback_qoe_forwarded_total",
                           "QoE batches passed on to the metrics service, by result.",
                           {{"result", "posted"}})),
      dropped_(m.counter("onair_playback_qoe_forwarded_total", "", {{"result", "dropped"}})),
      failed_(m.counter("onair_playback_qoe_forwarded_total", "", {{"result", "failed"}})) {}

QoeForwarder::~QoeForwarder() = default;

void QoeForwarder::Push(std::string body) {
  std::lock_guard<std::mutex> lock(mu_);
  if (pending_.size() >= max_pending_) {
    dropped_.Inc();
    return;
  }
  pending_.push_back(std::move(body));
}

size_t QoeForwarder::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_.size();
}

boost::asio::awaitable<void> QoeForwarder::Flush(boost::asio::any_io_executor ex) {
  std::deque<std::string> batches;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batches.swap(pending_);
  }
  if (batches.empty()) co_return;
  if (!client_) client_ = std::make_unique<net::HttpClient>(ex, metrics_);
  const net::Headers headers = {{"Content-Type", "application/json"}};
  while (!batches.empty()) {
    auto res = co_await client_->Send("POST", target_, headers, std::move(batches.front()),
                                      std::chrono::milliseconds(2000));
    batches.pop_front();
    if (res.ok() && res->status / 100 == 2) {
      forwarded_.Inc();
      continue;
    }
    // The metrics service is away or refuses: this batch is lost, the rest wait in front
    // of what came since, for the next flush (never one timeout per batch in a row).
    failed_.Inc();
    client_.reset();
    std::lock_guard<std::mutex> lock(mu_);
    while (!batches.empty()) {
      if (pending_.size() >= max_pending_) {
        dropped_.Inc(batches.size());
        break;
      }
      pending_.push_front(std::move(batches.back()));
      batches.pop_back();
    }
  }
}

}  // namespace onair::playback
