#include "net/http_server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/log.h"

namespace onair::net {

namespace {
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
}

HttpServer::HttpServer(ServerOptions options, ConnectionHandler handler)
    : options_(std::move(options)), handler_(std::move(handler)) {}

HttpServer::~HttpServer() { Stop(); }

StatusOr<int> HttpServer::Bind(const asio::ip::address& address, int port,
                               std::vector<std::unique_ptr<asio::ip::tcp::acceptor>>* out) {
  boost::system::error_code ec;
  for (size_t k = 0; k < contexts_.size(); ++k) {
    auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(*contexts_[k]);
    const asio::ip::tcp::endpoint endpoint(address, static_cast<uint16_t>(port));
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->set_option(reuse_port(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Unavailable(options_.name + ": cannot listen on " + options_.host + ":" +
                         std::to_string(port) + ": " + ec.message());
    }
    port = acceptor->local_endpoint().port();
    out->push_back(std::move(acceptor));
  }
  return port;
}

Status HttpServer::Start() {
  const int n = options_.threads > 0
                    ? options_.threads
                    : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options_.host, ec);
  if (ec) return InvalidArgument("bad listen address '" + options_.host + "'");
  for (int k = 0; k < n; ++k) contexts_.push_back(std::make_unique<asio::io_context>(1));
  auto plain = Bind(address, options_.port, &acceptors_);
  StatusOr<int> tls = 0;
  if (plain.ok() && options_.tls) tls = Bind(address, options_.tls_port, &tls_acceptors_);
  if (!plain.ok() || !tls.ok()) {
    acceptors_.clear();
    tls_acceptors_.clear();
    contexts_.clear();
    return plain.ok() ? tls.status() : plain.status();
  }
  port_ = *plain;
  tls_port_ = *tls;
  for (int k = 0; k < n; ++k) {
    asio::co_spawn(*contexts_[k], Accept(*acceptors_[k], false), asio::detached);
    if (options_.tls) {
      asio::co_spawn(*contexts_[k], Accept(*tls_acceptors_[k], true), asio::detached);
    }
    threads_.emplace_back([ctx = contexts_[k].get()] { ctx->run(); });
  }
  started_ = true;
  if (options_.tls) {
    Logger(options_.name)
        ->info("listening on {}:{} and HTTPS :{} ({} event loops)", options_.host, port_, tls_port_,
               n);
  } else {
    Logger(options_.name)->info("listening on {}:{} ({} event loops)", options_.host, port_, n);
  }
  return Status::Ok();
}

asio::awaitable<void> HttpServer::Accept(asio::ip::tcp::acceptor& acceptor, bool tls) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      continue;  // out of descriptors, a reset before accept: keep listening
    }
    socket.set_option(asio::ip::tcp::no_delay(true), ec);
    open_++;
    asio::co_spawn(acceptor.get_executor(), Run(beast::tcp_stream(std::move(socket)), tls),
                   asio::detached);
  }
}

asio::awaitable<void> HttpServer::Run(beast::tcp_stream tcp, bool tls) {
  try {
    if (!tls) {
      co_await handler_(AnyStream::Plain(std::move(tcp)));
    } else {
      AnyStream stream = AnyStream::Tls(std::move(tcp), *options_.tls);
      stream.expires_after(options_.handshake_timeout);
      const boost::system::error_code ec = co_await stream.Handshake(true);
      if (!ec) co_await handler_(std::move(stream));
    }
  } catch (const std::exception& e) {
    Logger(options_.name)->debug("connection ended: {}", e.what());
  }
  open_--;
}

void HttpServer::ForEachLoop(const std::function<void(asio::io_context&)>& f) {
  for (auto& ctx : contexts_) asio::post(*ctx, [f, c = ctx.get()] { f(*c); });
}

void HttpServer::Stop() {
  if (!started_) return;
  started_ = false;
  for (size_t k = 0; k < contexts_.size(); ++k) {
    asio::post(*contexts_[k], [this, k] {
      boost::system::error_code ec;
      acceptors_[k]->close(ec);
      if (k < tls_acceptors_.size()) tls_acceptors_[k]->close(ec);
    });
  }
  for (auto& ctx : contexts_) ctx->stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  acceptors_.clear();
  tls_acceptors_.clear();
  contexts_.clear();  // destroys the suspended connection coroutines and their sockets
}

}  // namespace onair::net
