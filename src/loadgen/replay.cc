#include "loadgen/replay.h"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "loadgen/pool.h"
#include "net/url.h"

namespace onair::loadgen {

namespace asio = boost::asio;

namespace {

struct Prepared {
  int64_t due_us = 0;  // after the replay's start
  Outgoing out;
  int recorded_status = 0;
};

struct ReplayLoop {
  asio::io_context ioc{1};
  std::map<std::string, std::unique_ptr<ClientPool>> pools;  // by destination
  asio::steady_timer* scheduler_timer = nullptr;
  mutable std::mutex mu;  // the stats, read by the progress line
  RunStats stats;
};

}  // namespace

struct ReplayRun::Impl {
  ReplayConfig cfg;
  Clock* clock;
  std::vector<Prepared> requests;
  std::map<std::string, int64_t> skipped;  // by why
  int64_t duration_us = 0;
  double peak_rate = 0;
  std::vector<std::unique_ptr<ReplayLoop>> loops;
  std::atomic<bool> stop{false};
  std::atomic<UtcMicros> started{0};

  ClientPool& PoolFor(ReplayLoop& loop, const std::string& base) {
    auto& pool = loop.pools[base];
    if (!pool) {
      net::ClientOptions options;
      options.max_response_bytes = 256u << 20;  // a segment of any rung
      options.user_agent = "onair-loadgen";
      pool = std::make_unique<ClientPool>(loop.ioc.get_executor(), *net::ParseUrl(base),
                                          cfg.connections_per_loop, options);
    }
    return *pool;
  }

  asio::awaitable<void> Send(ReplayLoop& loop, const Prepared& p, UtcMicros start) {
    const UtcMicros due = start + p.due_us;
    const int64_t second = p.due_us / 1'000'000;
    auto record = [&](auto&& f) {
      std::lock_guard<std::mutex> lock(loop.mu);
      f(loop.stats);
    };
    record([&](RunStats& s) { ++s.At(second).sent; });
    ClientPool& pool = PoolFor(loop, p.out.base);
    auto res = co_await pool.Send(p.out.method, p.out.target, p.out.headers, p.out.body,
                                  std::chrono::milliseconds(cfg.timeout_ms));
    const double ms = static_cast<double>(clock->Now() - due) / 1000.0;
    record([&](RunStats& s) {
      if (!res.ok()) {
        const bool timeout = res.status().code() == StatusCode::kDeadlineExceeded;
        s.Error(p.out.kind + (timeout ? "_timeout" : "_unreachable"), second);
        return;
      }
      SecondRow& row = s.At(second);
      ++row.answered;
      row.bytes += static_cast<int64_t>(res->body.size());
      if (p.out.kind == "segment" || p.out.kind == "init") ++row.segments;
      if (res->status == 503) ++row.shed;
      s.Latency(p.out.kind, ms);
      ++s.counts["status_" + std::to_string(res->status)];
      ++s.counts[res->status == p.recorded_status ? "same_status" : "other_status"];
      if (res->status >= 500 && res->status != 503) {
        s.Error(p.out.kind + "_" + std::to_string(res->status), second);
      }
    });
  }

  asio::awaitable<void> Scheduler(ReplayLoop& loop, size_t index, UtcMicros start) {
    asio::steady_timer timer(loop.ioc);
    loop.scheduler_timer = &timer;
    const UtcMicros hard_end = start + duration_us + cfg.timeout_ms * 1000;
    for (size_t i = index; i < requests.size(); i += loops.size()) {
      const Prepared& p = requests[i];
      const int64_t wait = start + p.due_us - clock->Now();
      if (wait > 0) {
        timer.expires_after(std::chrono::microseconds(wait));
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      if (stop.load() || clock->Now() >= hard_end) break;
      {
        std::lock_guard<std::mutex> lock(loop.mu);
        ++loop.stats.At(p.due_us / 1'000'000).scheduled;
      }
      asio::co_spawn(loop.ioc, Send(loop, p, start), asio::detached);
    }
    loop.scheduler_timer = nullptr;
  }
};

ReplayRun::ReplayRun(ReplayConfig config, ReplayLog log, Clock* clock)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.cfg = std::move(config);
  m.clock = clock;
  const double speed = m.cfg.speed > 0 ? m.cfg.speed : 1;
  std::map<int64_t, int64_t> per_second;
  uint64_t n = 0;
  for (LoggedRequest& q : log.requests) {
    if (!Sampled(q.record, m.cfg.sample, m.cfg.seed)) {
      ++m.skipped["not in the sample"];
      continue;
    }
    auto out = Rewrite(q.record, m.cfg.rewrites, n++);
    if (!out.ok()) {
      ++m.skipped[out.status().message()];
      continue;
    }
    Prepared p;
    p.due_us = static_cast<int64_t>(std::llround(static_cast<double>(q.offset_us) / speed));
    p.out = std::move(*out);
    p.recorded_status = q.record.status;
    m.duration_us = std::max(m.duration_us, p.due_us);
    m.peak_rate = std::max(m.peak_rate, static_cast<double>(++per_second[p.due_us / 1'000'000]));
    m.requests.push_back(std::move(p));
  }
  int threads = m.cfg.threads;
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < threads; ++i) m.loops.push_back(std::make_unique<ReplayLoop>());
}

ReplayRun::~ReplayRun() = default;

size_t ReplayRun::requests() const { return impl_->requests.size(); }
int64_t ReplayRun::duration_us() const { return impl_->duration_us; }
double ReplayRun::peak_rate() const { return impl_->peak_rate; }

Status ReplayRun::CheckBounds() const {
  const Impl& m = *impl_;
  if (m.peak_rate > m.cfg.max_rate) {
    char why[200];
    std::snprintf(why, sizeof(why),
                  "the replay sends %.0f requests in its busiest second, over the bound of %.0f "
                  "(--max-rate, or a lower --speed or --sample)",
                  m.peak_rate, m.cfg.max_rate);
    return InvalidArgument(why);
  }
  if (m.duration_us > m.cfg.max_duration_us) {
    return InvalidArgument("the replay lasts " + std::to_string(m.duration_us / 1'000'000) +
                           " s, over the bound of " +
                           std::to_string(m.cfg.max_duration_us / 1'000'000) +
                           " s (--max-duration, or a higher --speed)");
  }
  return Status::Ok();
}

std::string ReplayRun::Plan() const {
  const Impl& m = *impl_;
  std::string skipped;
  for (const auto& [why, count] : m.skipped) {
    skipped += "; " + std::to_string(count) + " left out: " + why;
  }
  char line[400];
  std::snprintf(line, sizeof(line),
                "%zu requests over %.1f s (speed %.0f%%, sample %.0f%%), at most %.0f in a "
                "second; bounds: %.0f requests/s, %.0f s; it stops by itself %.1f s from its "
                "start",
                m.requests.size(), static_cast<double>(m.duration_us) / 1e6, m.cfg.speed * 100,
                m.cfg.sample * 100, m.peak_rate, m.cfg.max_rate,
                static_cast<double>(m.cfg.max_duration_us) / 1e6,
                static_cast<double>(m.duration_us + m.cfg.timeout_ms * 1000) / 1e6);
  return line + skipped;
}

Status ReplayRun::Run(UtcMicros start) {
  Impl& m = *impl_;
  if (start == 0) start = m.clock->Now() + 100'000;
  m.started = start;
  {
    std::lock_guard<std::mutex> lock(m.loops[0]->mu);
    for (const auto& [why, count] : m.skipped) m.loops[0]->stats.counts["skipped"] += count;
  }
  std::vector<std::thread> threads;
  for (size_t i = 0; i < m.loops.size(); ++i) {
    ReplayLoop& loop = *m.loops[i];
    asio::co_spawn(loop.ioc, m.Scheduler(loop, i, start), asio::detached);
    threads.emplace_back([&loop] { loop.ioc.run(); });
  }
  for (std::thread& t : threads) t.join();
  return Status::Ok();
}

// Nothing more is sent: each loop's scheduler is woken to see it (requests in flight end
// within their timeout).
void ReplayRun::Stop() {
  impl_->stop = true;
  for (auto& loop : impl_->loops) {
    asio::post(loop->ioc, [l = loop.get()] {
      if (l->scheduler_timer) l->scheduler_timer->cancel();
    });
  }
}

RunStats ReplayRun::Snapshot() const {
  RunStats all;
  for (const auto& loop : impl_->loops) {
    std::lock_guard<std::mutex> lock(loop->mu);
    all.Merge(loop->stats);
  }
  return all;
}

double ReplayRun::elapsed_s() const {
  const UtcMicros s = impl_->started.load();
  return s == 0 ? 0 : std::max(0.0, static_cast<double>(impl_->clock->Now() - s) / 1e6);
}

std::string ReplaySummary(const RunStats& s, double elapsed_s) {
  auto count = [&](const char* k) { return static_cast<long long>(s.Count(k)); };
  char line[300];
  std::snprintf(line, sizeof(line),
                "requests %lld sent in %.1f s, %lld answered (%lld with the status the log has, "
                "%lld another), %lld left out; %.1f MB received\n",
                static_cast<long long>(s.Total(&SecondRow::sent)), elapsed_s,
                static_cast<long long>(s.Total(&SecondRow::answered)), count("same_status"),
                count("other_status"), count("skipped"),
                static_cast<double>(s.Total(&SecondRow::bytes)) / 1e6);
  std::string out = line;
  out += "statuses:";
  for (const auto& [k, n] : s.counts) {
    if (k.rfind("status_", 0) == 0) out += " " + k.substr(7) + " " + std::to_string(n);
  }
  out += "\n";
  return out + s.TableText();
}

std::string ReplayProgressLine(const RunStats& now, const RunStats& before, double elapsed_s,
                               double dt_s) {
  auto rate = [&](int64_t SecondRow::*f) {
    return dt_s > 0 ? static_cast<double>(now.Total(f) - before.Total(f)) / dt_s : 0;
  };
  int64_t errors = 0;
  for (const auto& [k, n] : now.errors) errors += n;
  char line[300];
  std::snprintf(line, sizeof(line),
                "%6.0f s  sent %8lld  sent/s %8.1f  answered/s %8.1f  errors %lld", elapsed_s,
                static_cast<long long>(now.Total(&SecondRow::sent)), rate(&SecondRow::sent),
                rate(&SecondRow::answered), static_cast<long long>(errors));
  std::string out = line;
  for (const char* kind : {"play", "segment"}) {
    const std::string b = now.Brief(kind);
    if (!b.empty()) out += std::string("  ") + kind + " " + b;
  }
  return out;
}

}  // namespace onair::loadgen
