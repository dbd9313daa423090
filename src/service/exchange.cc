#include "service/exchange.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include "service/route.h"

namespace onair::service {

namespace asio = boost::asio;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

Exchange::Exchange(ServiceCore& core, net::AnyStream& stream, boost::beast::flat_buffer& buffer,
                   RequestParser& parser, MonoTime start, UtcMicros arrived)
    : core_(core),
      stream_(stream),
      buffer_(buffer),
      parser_(parser),
      target_(parser.get().target()),
      start_(start),
      arrived_(arrived) {
  std::tie(path_, query_) = SplitTarget(target_);
}

std::chrono::milliseconds Exchange::send_timeout() const { return core_.send_timeout; }
std::chrono::milliseconds Exchange::body_timeout() const { return core_.body_timeout; }

asio::awaitable<bool> Exchange::Send(Response res) {
  Decorate(res);
  res.version(version());
  res.keep_alive(request().keep_alive());
  res.prepare_payload();
  status_ = res.result_int();
  bytes_ = head() ? 0 : res.body().size();
  stream_.expires_after(core_.send_timeout);
  if (head()) {
    http::response_serializer<http::string_body> sr(res);
    auto [ec, n] = co_await http::async_write_header(stream_, sr, kTuple);
    co_return !ec;
  }
  auto [ec, n] = co_await http::async_write(stream_, res, kTuple);
  co_return !ec;
}

asio::awaitable<bool> Exchange::Send(Reply reply) {
  if (!reply.raw) co_return co_await Send(std::move(reply.response));
  status_ = 200;
  bytes_ = reply.raw->size();
  stream_.expires_after(core_.send_timeout);
  auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(*reply.raw), kTuple);
  co_return !ec;
}

}  // namespace onair::service
