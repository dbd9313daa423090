#include "pipeline/http_publisher.h"

#include <chrono>
#include <thread>
#include <variant>

#include "contract/headers.h"
#include "core/log.h"
#include "net/http_client.h"
#include "pipeline/blocking_queue.h"

namespace onair::pipeline {

namespace {

using std::chrono::milliseconds;

struct InitJob {
  std::string bytes;
};
struct ChunkJob {
  int64_t number;
  std::string bytes;
};
struct EndJob {
  SegmentMeta meta;
};
struct StopJob {};
using Job = std::variant<InitJob, ChunkJob, EndJob, StopJob>;

bool Retryable(int status) { return status >= 500 || status == 408 || status == 429; }

}  // namespace

struct HttpPublisher::Track {
  std::string rendition;
  BlockingQueue<Job> jobs{4096};
  std::thread thread;
};

HttpPublisher::HttpPublisher(PublisherConfig config, const EventConfig& event, Clock* clock)
    : config_(std::move(config)), event_(event), clock_(clock) {}

HttpPublisher::~HttpPublisher() { OnFinish(); }

Status HttpPublisher::Prepare() {
  auto u = net::ParseUrl(config_.base_url);
  if (!u.ok()) return u.status();
  url_ = *u;
  return Status::Ok();
}

HttpPublisher::Track& HttpPublisher::TrackFor(const std::string& rendition) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = tracks_[rendition];
  if (slot) return *slot;
  slot = std::make_unique<Track>();
  Track* t = slot.get();
  t->rendition = rendition;
  t->thread = std::thread([this, t] {
    auto log = Logger("publish");
    net::HttpConnection conn(url_);
    const std::string base = url_.path + "/live/" + event_.event + "/" + t->rendition + "/";
    const net::Headers common = {{"Authorization", "Bearer " + config_.token},
                                 {contract::kPipeline, config_.pipeline_id},
                                 {"Content-Type", "video/mp4"}};
    const milliseconds op_timeout(std::max<int64_t>(200, event_.segment_us / 1000));
    int64_t current = INT64_MIN;
    bool streaming = false;
    std::string whole, init_bytes;
    bool init_published = false;
    const std::string init_target = base + "init.mp4";
    auto put_init = [&]() -> StatusOr<net::Response> {
      auto res = conn.Send("PUT", init_target, common, init_bytes, op_timeout);
      if (res.ok() && res->status / 100 == 2) {
        init_published = true;
        counters_.inits_ok++;
      }
      return res;
    };
    // One whole PUT. An origin that was away when the init segment went out gets it first:
    // a segment is of no use to it without one.
    auto send = [&](const std::string& target, const std::string& body,
                    const net::Headers& headers) -> StatusOr<net::Response> {
      if (target == init_target) return put_init();
      if (!init_published && !init_bytes.empty()) {
        auto res = put_init();
        if (!init_published) return res;
      }
      return conn.Send("PUT", target, headers, body, op_timeout);
    };
    auto put_whole = [&](const std::string& target, const std::string& body,
                         const net::Headers& headers, UtcMicros deadline,
                         const char* what) -> bool {
      int64_t backoff_ms = 50;
      int attempt = 0;
      while (true) {
        ++attempt;
        StatusOr<net::Response> res = send(target, body, headers);
        if (res.ok() && res->status / 100 == 2) return true;
        if (res.ok() && !Retryable(res->status)) {
          counters_.rejected++;
          log->error("{} {} refused by {}:{}: HTTP {} {}", what, target, url_.host, url_.port,
                     res->status, res->body.substr(0, 200));
          return false;
        }
        const UtcMicros now = clock_->Now();
        if (now + backoff_ms * 1000 >= std::min<UtcMicros>(deadline, finish_by_)) {
          log->error("{} {} not published to {}:{} after {} attempts: {}", what, target, url_.host,
                     url_.port, attempt,
                     res.ok() ? "HTTP " + std::to_string(res->status) : res.status().message());
          return false;
        }
        std::this_thread::sleep_for(milliseconds(backoff_ms));
        backoff_ms = std::min<int64_t>(backoff_ms * 2, 500);
      }
    };
    while (auto job = t->jobs.Pop()) {
      if (std::holds_alternative<StopJob>(*job)) break;
      if (auto* init = std::get_if<InitJob>(&*job)) {
        init_bytes = std::move(init->bytes);
        init_published = false;
        put_whole(init_target, init_bytes, common, clock_->Now() + 2 * event_.segment_us, "init");
      } else if (auto* chunk = std::get_if<ChunkJob>(&*job)) {
        if (chunk->number != current) {
          current = chunk->number;
          whole.clear();
          if (!init_published && !init_bytes.empty()) put_init();
          streaming =
              init_published && conn.BeginChunked("PUT", base + std::to_string(current) + ".m4s",
                                                  common, {contract::kDefects}, op_timeout)
                                    .ok();
        }
        whole += chunk->bytes;
        if (streaming) streaming = conn.WriteChunk(chunk->bytes, op_timeout).ok();
      } else if (auto* end = std::get_if<EndJob>(&*job)) {
        const SegmentMeta& m = end->meta;
        if (m.number != current) continue;  // no chunk ever came: nothing to publish
        const std::string defects = JoinDefects(m.defects);
        bool ok = false;
        if (streaming) {
          auto res = conn.FinishChunked({{contract::kDefects, defects}}, op_timeout);
          ok = res.ok() && res->status / 100 == 2;
          if (res.ok() && !ok && !Retryable(res->status)) {
            counters_.rejected++;
            log->error("segment {} of {} refused by {}:{}: HTTP {} {}", m.number, t->rendition,
                       url_.host, url_.port, res->status, res->body.substr(0, 200));
            current = INT64_MIN;
            continue;
          }
        }
        if (!ok) {
          counters_.segments_retried++;
          net::Headers h = common;
          h.emplace_back(contract::kDefects, defects);
          const UtcMicros deadline =
              event_.timeline().SegmentAvailableAt(m.number) + event_.segment_us;
          ok = put_whole(base + std::to_string(m.number) + ".m4s", whole, h, deadline, "segment");
        }
        if (ok) {
          counters_.segments_ok++;
        } else {
          counters_.segments_failed++;
        }
        current = INT64_MIN;
        streaming = false;
      }
    }
  });
  return *t;
}

void HttpPublisher::OnInit(const media::TrackInfo& track, const std::string& init) {
  TrackFor(track.id).jobs.Push(InitJob{init});
}

void HttpPublisher::OnChunk(const std::string& rendition, int64_t number,
                            const std::string& chunk) {
  TrackFor(rendition).jobs.Push(ChunkJob{number, chunk});
}

void HttpPublisher::OnSegmentEnd(const SegmentMeta& meta) {
  TrackFor(meta.rendition).jobs.Push(EndJob{meta});
}

void HttpPublisher::OnFinish() {
  UtcMicros unset = INT64_MAX;
  finish_by_.compare_exchange_strong(unset, clock_->Now() + event_.segment_us);
  std::map<std::string, std::unique_ptr<Track>> tracks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    tracks.swap(tracks_);
  }
  for (auto& [name, t] : tracks) t->jobs.Push(StopJob{});
  for (auto& [name, t] : tracks) {
    if (t->thread.joinable()) t->thread.join();
  }
  if (!tracks.empty()) {
    Logger("publish")->info(
        "{}:{}: {} segments published ({} re-sent whole), {} failed, {} refused", url_.host,
        url_.port, counters_.segments_ok.load(), counters_.segments_retried.load(),
        counters_.segments_failed.load(), counters_.rejected.load());
  }
}

}  // namespace onair::pipeline
