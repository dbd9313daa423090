#include "loadgen/fleet.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "core/event_config.h"
#include "core/log.h"
#include "net/nats.h"

namespace onair::loadgen {

namespace {

std::string RandomId() {
  std::random_device rd;
  char id[33];
  std::snprintf(id, sizeof(id), "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
  return id;
}

}  // namespace

struct Fleet::Impl {
  std::string id;
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, UtcMicros> hellos;  // id -> the start it proposes
  std::map<int64_t, RunStats> results;      // by worker
  // Last: closed first, so that no handler runs on what is gone.
  std::unique_ptr<net::NatsLink> nats;
};

StatusOr<std::unique_ptr<Fleet>> Fleet::Join(const FleetConfig& config, Clock* clock) {
  if (!IsSafeName(config.run)) {
    return InvalidArgument("--fleet-run: '" + config.run + "' is not a name of [a-zA-Z0-9_-]");
  }
  if (config.size < 1 || config.size > 10'000) {
    return InvalidArgument("--fleet: between 1 and 10000 processes");
  }
  std::unique_ptr<Fleet> f(new Fleet());
  f->config_ = config;
  f->impl_ = std::make_unique<Impl>();
  Impl& m = *f->impl_;
  m.id = RandomId();
  auto nats = net::NatsLink::Open(config.nats_url, "onair-loadgen-" + m.id.substr(0, 8));
  if (!nats.ok()) return nats.status();
  m.nats = std::move(*nats);
  const std::string hello_subject = "onair.loadgen." + config.run + ".hello";
  const std::string results_subject = "onair.loadgen." + config.run + ".results";
  Impl* impl = &m;
  ONAIR_RETURN_IF_ERROR(m.nats->Subscribe(hello_subject, [impl](std::string_view data) {
    const auto j = nlohmann::json::parse(data, nullptr, false);
    if (!j.is_object() || !j.contains("id") || !j["id"].is_string() || !j.contains("start_us") ||
        !j["start_us"].is_number_integer()) {
      return;
    }
    std::lock_guard<std::mutex> lock(impl->mu);
    impl->hellos[j["id"].get<std::string>()] = j["start_us"].get<int64_t>();
    impl->cv.notify_all();
  }));
  ONAIR_RETURN_IF_ERROR(m.nats->Subscribe(results_subject, [impl](std::string_view data) {
    // {worker as 8 decimal digits}{RunStats::Encode}
    if (data.size() < 8) return;
    int64_t worker = 0;
    for (char c : data.substr(0, 8)) {
      if (c < '0' || c > '9') return;
      worker = worker * 10 + (c - '0');
    }
    auto stats = RunStats::Decode(data.substr(8));
    if (!stats.ok()) {
      Logger("loadgen")->warn("a fleet's results were refused: {}", stats.status().message());
      return;
    }
    std::lock_guard<std::mutex> lock(impl->mu);
    impl->results[worker] = std::move(*stats);
    impl->cv.notify_all();
  }));
  // Hello until everyone is heard and the start has come near (a late subscriber hears it).
  const UtcMicros proposed = clock->Now() + config.lead_ms * 1000;
  const std::string hello = nlohmann::json{{"id", m.id}, {"start_us", proposed}}.dump();
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(config.join_timeout_ms);
  std::unique_lock<std::mutex> lock(m.mu);
  while (true) {
    lock.unlock();
    (void)m.nats->Publish(hello_subject, hello);
    lock.lock();
    m.cv.wait_for(lock, std::chrono::milliseconds(250));
    if (m.hellos.size() > config.size) {
      return InvalidArgument(std::to_string(m.hellos.size()) + " load generators joined run " +
                             config.run + ", more than --fleet " + std::to_string(config.size));
    }
    if (m.hellos.size() == config.size) {
      UtcMicros start = 0;
      for (const auto& [id, s] : m.hellos) start = std::max(start, s);
      // Keep saying hello until shortly before the start, for those still listening.
      if (clock->Now() >= start - config.lead_ms * 500) {
        f->start_ = start;
        f->worker_ = static_cast<size_t>(std::distance(m.hellos.begin(), m.hellos.find(m.id)));
        return f;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return DeadlineExceeded("only " + std::to_string(m.hellos.size()) + " of " +
                              std::to_string(config.size) + " load generators joined run " +
                              config.run + " within " +
                              std::to_string(config.join_timeout_ms / 1000) + " s" +
                              (m.nats->connected() ? "" : " (NATS is not reachable)"));
    }
  }
}

Fleet::~Fleet() = default;

Status Fleet::Publish(const RunStats& stats) {
  char prefix[16];
  std::snprintf(prefix, sizeof(prefix), "%08zu", worker_);
  const std::string message = prefix + stats.Encode();
  Status last = Status::Ok();
  for (int attempt = 0; attempt < 20; ++attempt) {  // NATS may be reconnecting
    last = impl_->nats->Publish("onair.loadgen." + config_.run + ".results", message);
    if (last.ok()) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return last;
}

RunStats Fleet::Gather(int64_t wait_ms, size_t* missing) {
  std::unique_lock<std::mutex> lock(impl_->mu);
  impl_->cv.wait_for(lock, std::chrono::milliseconds(wait_ms),
                     [&] { return impl_->results.size() >= config_.size; });
  RunStats all;
  for (const auto& [worker, s] : impl_->results) all.Merge(s);
  if (missing) *missing = config_.size - std::min(config_.size, impl_->results.size());
  return all;
}

}  // namespace onair::loadgen
