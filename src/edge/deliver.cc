#include "edge/deliver.h"

#include <strings.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_cat.hpp>
#include <boost/beast/http.hpp>
#include <sstream>

#include "contract/headers.h"
#include "edge/freshness.h"
#include "net/http_client.h"
#include "net/waiter.h"

namespace onair::edge {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using service::Exchange;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

// Pieces as one buffer sequence, and their bytes.
std::pair<std::vector<asio::const_buffer>, uint64_t> Gather(
    const std::vector<net::StreamedBody::Piece>& pieces) {
  std::pair<std::vector<asio::const_buffer>, uint64_t> out;
  out.first.reserve(pieces.size());
  for (const auto& p : pieces) {
    out.first.push_back(asio::buffer(*p));
    out.second += p->size();
  }
  return out;
}

}  // namespace

const char* CacheName(EdgeCache::Kind kind) {
  switch (kind) {
    case EdgeCache::Kind::kHit:
      return "hit";
    case EdgeCache::Kind::kCollapsed:
      return "collapsed";
    default:
      return "miss";
  }
}

Delivery::Delivery(EdgeCache& cache, Clock* clock, MetricsRegistry& m,
                   std::chrono::milliseconds fill_wait_limit)
    : cache_(cache),
      clock_(clock),
      wait_limit_(fill_wait_limit),
      egress_(m.counter("onair_edge_egress_bytes_total", "Body bytes sent to viewers.")),
      stale_served_(m.counter("onair_edge_stale_served_total",
                              "Init segments served stale because a refill failed.")),
      cut_(m.counter("onair_edge_cut_total",
                     "Responses cut because their fill failed after bytes went out.")),
      first_byte_(m.histogram("onair_edge_first_byte_seconds",
                              "From a request to its first body byte on the wire.")) {}

http::response<http::empty_body> Delivery::HeaderFor(const EdgeObject::Answer& a, unsigned version,
                                                     EdgeCache::Kind kind) const {
  http::response<http::empty_body> res(static_cast<http::status>(a.status), version);
  res.set(http::field::server, "onair-edge");
  const MonoTime now = clock_->Monotonic();
  for (const auto& [k, v] : a.headers) {
    if (a.negative_ms && (strcasecmp(k.c_str(), "Cache-Control") == 0 ||
                          strcasecmp(k.c_str(), contract::kMaxAgeMs) == 0)) {
      continue;
    }
    res.set(k, v);
  }
  if (a.negative_ms) {
    const int64_t left = LifetimeLeftMs(a, now);
    res.set(http::field::cache_control, "public, max-age=" + std::to_string(left / 1000));
    res.set(contract::kMaxAgeMs, std::to_string(left));
  }
  const int64_t age = std::chrono::duration_cast<std::chrono::seconds>(now - a.fetched).count();
  if (age > 0) res.set(http::field::age, std::to_string(age));
  res.set(contract::kCache, CacheName(kind));
  res.set(http::field::access_control_allow_origin, "*");
  res.set(http::field::access_control_expose_headers, "Retry-After");
  return res;
}

asio::awaitable<Delivery::Outcome> Delivery::Deliver(Exchange& ex, const EdgeCache::Lookup& found,
                                                     Served& served) {
  const auto& object = found.object;
  net::AnyStream& stream = ex.stream();
  auto waiter = std::make_shared<net::Waiter>(stream.get_executor());
  size_t next = 0;
  bool header_sent = false;
  for (;;) {
    net::StreamedBody::View view = object->body.Read(next, waiter);
    if (view.state == net::StreamedBody::State::kFailed) {
      if (!header_sent) co_return Outcome::kRetry;
      cut_.Inc();
      co_return Outcome::kClosed;  // no final chunk: no cache downstream keeps it
    }
    const bool complete = view.state == net::StreamedBody::State::kComplete;
    if (!header_sent && (complete || !view.pieces.empty())) {
      const auto answer = object->answer();
      if (!answer) co_return Outcome::kClosed;  // cannot happen: set before any piece
      if (answer->status >= 500) {
        // stale-if-error for init segments: a player cannot start without one.
        if (auto good = cache_.LastGoodInit(object->key); good && good != object) {
          stale_served_.Inc();
          const EdgeCache::Lookup stale{good, EdgeCache::Kind::kHit};
          co_return co_await Deliver(ex, stale, served);
        }
      }
      auto res = HeaderFor(*answer, ex.version(), found.kind);
      res.keep_alive(ex.request().keep_alive());
      const std::string etag = net::HeaderValue(answer->headers, "ETag");
      if (complete && answer->status == 200 && !etag.empty() &&
          ex.header(http::field::if_none_match) == etag) {
        http::response<http::empty_body> nm(http::status::not_modified, ex.version());
        for (const auto& f : res) nm.set(f.name_string(), f.value());
        stream.expires_after(ex.send_timeout());
        auto [ec, n] = co_await http::async_write(stream, nm, kTuple);
        served.status = 304;
        co_return ec ? Outcome::kClosed : Outcome::kDone;
      }
      if (complete) {
        res.content_length(static_cast<uint64_t>(object->body.size()));
      } else {
        res.chunked(true);
      }
      // The header goes out in one write with the first body bytes: in a stampede every
      // viewer costs one system call, not one per piece.
      std::ostringstream header_text;
      header_text << res.base();
      const std::string header_bytes = header_text.str();
      header_sent = true;
      served.status = answer->status;
      stream.expires_after(ex.send_timeout());
      if (ex.head()) {
        auto [ec, n] = co_await asio::async_write(stream, asio::buffer(header_bytes), kTuple);
        co_return ec || !complete ? Outcome::kClosed : Outcome::kDone;
      }
      if (!view.pieces.empty()) {
        served.first_byte = clock_->Monotonic();
        first_byte_.Observe(std::chrono::duration<double>(served.first_byte - ex.start()).count());
      }
      const auto [bufs, bytes] = Gather(view.pieces);
      beast::error_code wec;
      size_t wn = 0;
      if (complete) {
        std::tie(wec, wn) = co_await asio::async_write(
            stream, beast::buffers_cat(asio::buffer(header_bytes), bufs), kTuple);
      } else {
        std::tie(wec, wn) = co_await asio::async_write(
            stream, beast::buffers_cat(asio::buffer(header_bytes), http::make_chunk(bufs)), kTuple);
      }
      if (wec) co_return Outcome::kClosed;
      egress_.Inc(bytes);
      served.bytes += bytes;
      if (complete) co_return Outcome::kDone;
    } else if (!view.pieces.empty()) {
      // Everything that arrived since the last write, as one chunk.
      const auto [bufs, bytes] = Gather(view.pieces);
      stream.expires_after(ex.send_timeout());
      auto [wec, wn] = co_await asio::async_write(stream, http::make_chunk(bufs), kTuple);
      if (wec) co_return Outcome::kClosed;
      egress_.Inc(bytes);
      served.bytes += bytes;
    }
    next += view.pieces.size();
    if (view.pieces.empty()) {
      if (complete) break;
      if (!co_await waiter->Wait(std::chrono::steady_clock::now() + wait_limit_)) {
        co_return Outcome::kClosed;  // the fill stalled beyond its own deadlines
      }
    }
  }
  stream.expires_after(ex.send_timeout());
  auto [lec, ln] = co_await asio::async_write(stream, http::make_chunk_last(), kTuple);
  co_return lec ? Outcome::kClosed : Outcome::kDone;
}

}  // namespace onair::edge
