#include "loadgen/devices.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <thread>

#include "core/log.h"
#include "loadgen/device.h"
#include "net/url.h"
#include "player/clock_sync.h"

namespace onair::loadgen {

namespace asio = boost::asio;

namespace {

constexpr int64_t kGraceUs = 15'000'000;  // after the schedule's end: sessions must be gone
constexpr int64_t kTickUs = 100'000;

asio::awaitable<void> SleepFor(asio::steady_timer& t, int64_t micros) {
  if (micros <= 0) co_return;
  t.expires_after(std::chrono::microseconds(micros));
  boost::system::error_code ec;
  co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace

struct DevicesRun::Impl {
  DevicesConfig cfg;
  Clock* clock;
  Schedule schedule;
  std::vector<std::unique_ptr<Loop>> loops;
  std::atomic<bool> stop{false};
  std::atomic<UtcMicros> started{0};

  // One loop's share of the schedule: its devices spawned a little before their time.
  asio::awaitable<void> Scheduler(Loop& loop, size_t index, std::shared_ptr<int64_t> pending) {
    asio::steady_timer timer(loop.ioc);
    loop.scheduler_timer = &timer;
    const size_t workers = cfg.workers * loops.size();
    const size_t me = cfg.worker + cfg.workers * index;
    for (size_t i = 0; i < schedule.sessions.size(); ++i) {
      if (!Owns(i, me, workers)) continue;
      const PlannedSession& p = schedule.sessions[i];
      co_await SleepFor(timer, loop.run_start + p.start_us - 50'000 - clock->Now());
      if (loop.stopping) break;
      ++*pending;
      auto device = std::make_shared<VirtualDevice>(loop, i, p);
      asio::co_spawn(
          loop.ioc,
          [device, pending]() -> asio::awaitable<void> {
            co_await VirtualDevice::Run(device);
            --*pending;
          },
          asio::detached);
    }
    loop.scheduler_timer = nullptr;
    *pending -= 1;  // the scheduler itself
  }

  // Every 100 ms: the devices' playout and heartbeats; the stop; the hard end.
  asio::awaitable<void> Ticker(Loop& loop, std::shared_ptr<int64_t> pending) {
    asio::steady_timer timer(loop.ioc);
    const UtcMicros hard_end = loop.run_start + schedule.duration_us + kGraceUs;
    while (*pending > 0 || !loop.live.empty()) {
      const bool stop_now = stop.load() || clock->Now() >= hard_end;
      if (stop_now && !loop.stopping) {
        loop.stopping = true;
        for (auto& d : loop.live) d->Stop();
        if (loop.scheduler_timer) loop.scheduler_timer->cancel();
      }
      for (size_t i = 0; i < loop.live.size(); ++i) loop.live[i]->Tick();
      const auto running = static_cast<int64_t>(loop.live.size());
      loop.Record([&](RunStats& s) {
        SecondRow& row = s.At(loop.SecondNow());
        row.running = std::max(row.running, running);
      });
      co_await SleepFor(timer, kTickUs);
    }
  }
};

DevicesRun::DevicesRun(DevicesConfig config, Clock* clock) : impl_(std::make_unique<Impl>()) {
  impl_->cfg = std::move(config);
  impl_->clock = clock;
  impl_->schedule = MakeSchedule(impl_->cfg.scenario);
  int threads = impl_->cfg.threads;
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < threads; ++i) {
    impl_->loops.push_back(std::make_unique<Loop>(impl_->cfg, clock));
  }
}

DevicesRun::~DevicesRun() = default;

const Schedule& DevicesRun::schedule() const { return impl_->schedule; }

std::string DevicesRun::Plan() const {
  const Scenario& s = impl_->cfg.scenario;
  const Schedule& sc = impl_->schedule;
  char line[512];
  std::snprintf(line, sizeof(line),
                "%zu sessions over %.0f s against %s, event %s (%s, peak %lld concurrent), at "
                "most %.0f starts/s%s; bounds: %lld sessions, %.0f starts/s, %.0f s; it stops by "
                "itself %.0f s from its start",
                sc.sessions.size(), static_cast<double>(sc.duration_us) / 1e6, s.target.c_str(),
                s.event.c_str(), s.profile.empty() ? "phases" : s.profile.c_str(),
                static_cast<long long>(s.peak), sc.peak_rate,
                impl_->cfg.workers > 1
                    ? (", this process's share " + std::to_string(impl_->cfg.worker + 1) + " of " +
                       std::to_string(impl_->cfg.workers))
                          .c_str()
                    : "",
                static_cast<long long>(s.max_sessions), s.max_rate,
                static_cast<double>(s.max_duration_us) / 1e6,
                static_cast<double>(sc.duration_us + kGraceUs) / 1e6);
  return line;
}

Status DevicesRun::Run(UtcMicros start) {
  Impl& m = *impl_;
  const DevicesConfig& cfg = m.cfg;
  auto service = net::ParseUrl(cfg.scenario.target);
  if (!service.ok()) return service.status();
  const std::string events_url =
      cfg.events_url.empty() ? cfg.scenario.target + "/v1/events" : cfg.events_url;
  auto events = net::SplitUrl(events_url);
  if (!events.ok()) return events.status();
  // The service's clock, once for the process (every device would find the same).
  int64_t offset = 0;
  const std::vector<player::UtcTiming> timing = {
      {"urn:mpeg:dash:utc:http-iso:2014", cfg.scenario.target + "/v1/time"}};
  auto sync = player::SyncClock(timing, cfg.scenario.target, m.clock);
  if (sync.ok()) {
    offset = sync->offset_us;
  } else {
    Logger("loadgen")->warn("the target's clock did not answer ({}): using ours",
                            sync.status().message());
  }
  if (start == 0) start = m.clock->Now() + 200'000;
  m.started = start;
  std::vector<std::thread> threads;
  for (size_t i = 0; i < m.loops.size(); ++i) {
    Loop& loop = *m.loops[i];
    loop.clock_offset_us = offset;
    loop.run_start = start;
    loop.service =
        std::make_unique<ClientPool>(loop.ioc.get_executor(), *service, cfg.connections_per_loop);
    loop.events = std::make_unique<ClientPool>(loop.ioc.get_executor(), events->server,
                                               cfg.connections_per_loop);
    loop.events_target = events->target;
    auto pending = std::make_shared<int64_t>(1);  // the scheduler, then each device not ended
    asio::co_spawn(loop.ioc, m.Scheduler(loop, i, pending), asio::detached);
    asio::co_spawn(loop.ioc, m.Ticker(loop, pending), asio::detached);
    threads.emplace_back([&loop] { loop.ioc.run(); });
  }
  for (std::thread& t : threads) t.join();
  return Status::Ok();
}

void DevicesRun::Stop() { impl_->stop = true; }

RunStats DevicesRun::Snapshot() const {
  RunStats all;
  for (const auto& loop : impl_->loops) {
    std::lock_guard<std::mutex> lock(loop->mu);
    all.Merge(loop->stats);
  }
  return all;
}

UtcMicros DevicesRun::start() const { return impl_->started.load(); }

double DevicesRun::elapsed_s() const {
  const UtcMicros s = impl_->started.load();
  return s == 0 ? 0 : std::max(0.0, static_cast<double>(impl_->clock->Now() - s) / 1e6);
}

std::string ProgressLine(const RunStats& now, const RunStats& before, double elapsed_s,
                         double dt_s) {
  auto rate = [&](int64_t SecondRow::*f) {
    return dt_s > 0 ? static_cast<double>(now.Total(f) - before.Total(f)) / dt_s : 0;
  };
  int64_t errors = 0;
  for (const auto& [k, n] : now.errors) errors += n;
  char line[400];
  const std::string play = now.Brief("play"), start = now.Brief("start"),
                    segment = now.Brief("segment");
  std::snprintf(line, sizeof(line),
                "%6.0f s  running %6lld  starts/s %7.1f  ok/s %7.1f  shed/s %6.1f  errors %lld  "
                "play %s  start %s  segment %s",
                elapsed_s, static_cast<long long>(now.running), rate(&SecondRow::scheduled),
                rate(&SecondRow::play_ok), rate(&SecondRow::shed), static_cast<long long>(errors),
                play.empty() ? "-" : play.c_str(), start.empty() ? "-" : start.c_str(),
                segment.empty() ? "-" : segment.c_str());
  return line;
}

}  // namespace onair::loadgen
