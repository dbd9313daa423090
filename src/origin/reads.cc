#include "origin/reads.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>
#include <ctime>

#include "contract/headers.h"
#include "net/waiter.h"
#include "origin/rules.h"

namespace onair::origin {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using service::Error;
using service::Exchange;
using service::Response;
using std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

std::string HttpDate(UtcMicros t) {
  std::time_t secs = static_cast<std::time_t>(t / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

double SecondsSince(steady_clock::time_point t) {
  return std::chrono::duration<double>(steady_clock::now() - t).count();
}

// The timing answers (rules.h), made outside the coroutine that sends them.
Response Gone(int64_t n) {
  return Error(410, "segment " + std::to_string(n) + " was never produced", {}, "max-age=60");
}

Response NotYet(int64_t n, int64_t ms) {
  Response res = Error(404, "segment " + std::to_string(n) + " is not published yet", {},
                       "public, max-age=" + std::to_string(ms / 1000));
  res.set(contract::kMaxAgeMs, std::to_string(ms));
  return res;
}

Response NotInTime() {
  Response res = Error(404, "not published in time", {}, "no-cache");
  res.set(contract::kMaxAgeMs, "0");
  return res;
}

}  // namespace

Reads::Reads(Store& store, Clock* clock, MetricsRegistry& m,
             std::chrono::milliseconds upload_idle_timeout)
    : store_(store),
      clock_(clock),
      upload_idle_timeout_(upload_idle_timeout),
      read_bytes_(m.counter("onair_origin_read_bytes_total", "Bytes of objects served.")),
      holds_(m.counter("onair_origin_holds_total", "Reads held until their segment came.")),
      read_first_byte_(m.histogram("onair_origin_read_first_byte_seconds",
                                   "From a read's request to its first body byte.")),
      chunk_relay_(m.histogram(
          "onair_origin_chunk_relay_seconds",
          "From an uploaded chunk's arrival to its start on the wire to a streaming reader.")) {
  for (int live = 0; live < 2; ++live) {
    for (size_t k = 0; k < std::size(kCodes); ++k) {
      answered_[live][k] =
          &m.counter("onair_origin_reads_total", "Reads by HTTP status and kind.",
                     {{"code", std::to_string(kCodes[k])}, {"kind", live ? "live" : "dvr"}});
    }
  }
}

Counter& Reads::Answered(int status, bool live) {
  size_t k = 0;
  while (k + 1 < std::size(kCodes) && kCodes[k] != status) ++k;
  return *answered_[live ? 1 : 0][k];
}

Response Reads::NoEvent(const std::string& event) {
  Response res = Error(404, "no event '" + event + "'", {}, "max-age=2");
  res.set(contract::kEvent, "none");
  return res;
}

service::Priority Reads::Classify(const Target& t) const {
  if (t.kind != Target::kObject || t.n == kInit) return service::Priority::kLive;
  auto ev = store_.FindEvent(t.event);
  if (!ev) return service::Priority::kCatchUp;
  EpochTimeline timeline{0, 1};
  {
    std::lock_guard<std::mutex> lock(ev->mu);
    timeline = ev->config.timeline();
  }
  return IsLiveEdge(timeline, t.n, clock_->Now()) ? service::Priority::kLive
                                                  : service::Priority::kCatchUp;
}

asio::awaitable<bool> Reads::Get(Exchange& ex, Target t) {
  const bool live = ex.priority() != service::Priority::kCatchUp;
  auto ev = store_.FindEvent(t.event);
  if (!ev) {
    Answered(404, false).Inc();  // at no live edge
    co_return co_await ex.Send(NoEvent(t.event));
  }
  EpochTimeline timeline{0, 1};
  {
    std::lock_guard<std::mutex> lock(ev->mu);
    timeline = ev->config.timeline();
  }
  auto waiter = std::make_shared<net::Waiter>(ex.stream().get_executor());
  bool held = false;
  UtcMicros hold_end = 0;  // fixed at the first hold: wake-ups never extend it
  for (;;) {
    auto found = store_.Find(t.event, t.rendition, t.n, waiter);
    if (!found.ok()) {
      Answered(404, live).Inc();
      Response res = Error(404, found.status().message(), {}, "max-age=2");
      co_return co_await ex.Send(std::move(res));
    }
    if (found->candidate) {
      if (held) holds_.Inc();
      co_return co_await Serve(ex, *found, live);
    }
    const UtcMicros now = clock_->Now();
    // An init segment not there yet is held for up to D, like the next media segment.
    Decision d = t.n == kInit ? Decision{Answer::kHold, now + timeline.segment_us()}
                              : Decide(timeline, t.n, now);
    if (d.answer == Answer::kHold) {
      if (!held) hold_end = d.until;
      d.until = std::min(d.until, hold_end);
    }
    if (d.answer == Answer::kGone) {
      Answered(410, live).Inc();
      co_return co_await ex.Send(Gone(t.n));
    }
    if (d.answer == Answer::kNotYet) {
      Answered(404, live).Inc();
      co_return co_await ex.Send(NotYet(t.n, std::max<int64_t>(0, (d.until - now) / 1000)));
    }
    // Hold: wait for a candidate to appear, then look again.
    if (now >= d.until) {
      Answered(404, live).Inc();
      co_return co_await ex.Send(NotInTime());
    }
    held = true;
    co_await waiter->Wait(steady_clock::now() + std::chrono::microseconds(d.until - now));
  }
}

asio::awaitable<bool> Reads::Serve(Exchange& ex, const Found& found, bool live) {
  const auto start = ex.start();
  const auto& cand = found.candidate;
  auto fill = [&](auto& res) {
    ex.Decorate(res);
    res.set(http::field::content_type, "video/mp4");
    res.set(http::field::etag, cand->etag());
    res.set(http::field::cache_control, "public, max-age=86400");
    res.set(contract::kPipeline, PipelineName(cand->pipeline()));
    if (found.version > 0) res.set(contract::kVersion, std::to_string(found.version));
    if (found.selection.defective) res.set(contract::kDefects, Join(cand->defects()));
  };
  net::AnyStream& stream = ex.stream();
  const unsigned v = ex.version();
  const bool complete = cand->state() == Candidate::State::kComplete;
  if (complete && ex.header(http::field::if_none_match) == cand->etag()) {
    http::response<http::empty_body> res(http::status::not_modified, v);
    fill(res);
    Answered(304, live).Inc();
    ex.Answered(304);
    stream.expires_after(ex.send_timeout());
    auto [ec, n] = co_await http::async_write(stream, res, kTuple);
    co_return !ec;
  }
  std::vector<Candidate::Piece> pieces;
  if (complete) {
    pieces = cand->in_memory() ? cand->Read(0).pieces : cand->LoadFromDisk();
    if (pieces.empty() && cand->size() > 0) {
      Answered(503, live).Inc();
      co_return co_await ex.Send(Error(503, "stored segment unreadable"));
    }
  }
  // Complete: with its length. Being written: chunked, each piece as it lands.
  http::response<http::empty_body> res(http::status::ok, v);
  fill(res);
  if (complete) {
    res.set(http::field::last_modified, HttpDate(cand->completed_at()));
    res.content_length(static_cast<uint64_t>(cand->size()));
  } else {
    res.chunked(true);
  }
  Answered(200, live).Inc();
  ex.Answered(200);
  http::response_serializer<http::empty_body> sr(res);
  stream.expires_after(ex.send_timeout());
  auto [ec, n] = co_await http::async_write_header(stream, sr, kTuple);
  if (ec || ex.head()) co_return !ec;
  if (complete) {
    std::vector<asio::const_buffer> bufs;
    for (const auto& p : pieces) bufs.push_back(asio::buffer(*p));
    read_first_byte_.Observe(std::chrono::duration<double>(clock_->Monotonic() - start).count());
    auto [wec, wn] = co_await asio::async_write(stream, bufs, kTuple);
    read_bytes_.Inc(wn);
    co_return !wec;
  }
  auto waiter = std::make_shared<net::Waiter>(stream.get_executor());
  size_t next = 0;
  bool first = true, waited = false;
  for (;;) {
    Candidate::View view = cand->Read(next, waiter);
    if (view.state == Candidate::State::kFailed) co_return false;  // cut: no cache keeps it
    // Pieces this reader was waiting for: how long from their arrival to the relay.
    if (waited && !view.pieces.empty() && view.first_arrival != steady_clock::time_point{}) {
      chunk_relay_.Observe(SecondsSince(view.first_arrival));
    }
    for (const auto& p : view.pieces) {
      if (first) {
        read_first_byte_.Observe(
            std::chrono::duration<double>(clock_->Monotonic() - start).count());
        first = false;
      }
      stream.expires_after(ex.send_timeout());
      auto [wec, wn] =
          co_await asio::async_write(stream, http::make_chunk(asio::buffer(*p)), kTuple);
      if (wec) co_return false;
      read_bytes_.Inc(p->size());
    }
    next += view.pieces.size();
    if (view.pieces.empty()) {
      if (view.state == Candidate::State::kComplete) break;
      if (!co_await waiter->Wait(steady_clock::now() + upload_idle_timeout_)) {
        co_return false;  // the upload stalled: end the response unfinished
      }
      waited = true;
    }
  }
  stream.expires_after(ex.send_timeout());
  auto [lec, ln] = co_await asio::async_write(stream, http::make_chunk_last(), kTuple);
  co_return !lec;
}

}  // namespace onair::origin
