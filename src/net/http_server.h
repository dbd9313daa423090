// The listening part of every onair server, on Boost.Asio: one event loop (io_context +
// thread) per core, each with its own acceptor on the same port (SO_REUSEPORT), so
// connections spread over the loops and never cross threads; a plain port and, when given a
// TLS context, an HTTPS port on the same loops. Each connection runs as a C++20 coroutine
// given by the owner (service::Service's request loop); a TLS connection is handed over once
// its handshake is done. The server owns listening, the loops, the connection count and
// shutdown.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "net/any_stream.h"

namespace onair::net {

namespace asio = boost::asio;
namespace beast = boost::beast;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;     // 0: the OS chooses (see HttpServer::port())
  int threads = 0;  // event loops; 0: one per core
  std::string name = "http";
  // HTTPS on its own port on the same loops when a context is given (0: the OS chooses).
  int tls_port = 0;
  std::shared_ptr<asio::ssl::context> tls;
  std::chrono::milliseconds handshake_timeout{10'000};
};

// Runs one connection until it closes. Exceptions end the connection, nothing else.
using ConnectionHandler = std::function<asio::awaitable<void>(AnyStream stream)>;

class HttpServer {
 public:
  HttpServer(ServerOptions options, ConnectionHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  Status Start();  // binds and starts the loops
  void Stop();     // closes the listeners and every connection, joins the loops
  int port() const { return port_; }
  int tls_port() const { return tls_port_; }  // 0: no HTTPS
  size_t loops() const { return contexts_.size(); }
  int64_t open_connections() const { return open_.load(); }
  // Runs `f` on every loop's thread.
  void ForEachLoop(const std::function<void(asio::io_context&)>& f);

 private:
  asio::awaitable<void> Accept(asio::ip::tcp::acceptor& acceptor, bool tls);
  asio::awaitable<void> Run(beast::tcp_stream tcp, bool tls);
  // One acceptor per loop on `port` (0: the OS chooses for the first); the port bound.
  StatusOr<int> Bind(const asio::ip::address& address, int port,
                     std::vector<std::unique_ptr<asio::ip::tcp::acceptor>>* out);

  ServerOptions options_;
  ConnectionHandler handler_;
  int port_ = 0, tls_port_ = 0;
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors_, tls_acceptors_;
  std::vector<std::thread> threads_;
  std::atomic<int64_t> open_{0};
  bool started_ = false;
};

}  // namespace onair::net
