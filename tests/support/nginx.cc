#include "support/nginx.h"

#include <csignal>
#include <filesystem>
#include <thread>

#include "support/raw_socket.h"

namespace onair::test {

namespace {

// What every generated config shares: one process in the foreground, every path in `dir`.
std::string Preamble(const std::string& dir) {
  return "daemon off;\nmaster_process off;\nworker_processes 1;\npid " + dir +
         "/nginx.pid;\nerror_log " + dir +
         "/error.log info;\nevents { worker_connections 4096; }\nhttp {\n  access_log " + dir +
         "/access.log;\n  client_body_temp_path " + dir + "/client_body;\n  proxy_temp_path " +
         dir + "/proxy_temp;\n  fastcgi_temp_path " + dir + "/fastcgi;\n  uwsgi_temp_path " + dir +
         "/uwsgi;\n  scgi_temp_path " + dir + "/scgi;\n";
}

}  // namespace

NginxCache::NginxCache(const std::string& dir, int upstream_port) : dir_(dir) {
  std::filesystem::create_directories(dir);
  const int port = FreeTcpPort();
  // The settings an operator would use in front of the origin: a shared cache that honours
  // the origin's Cache-Control (404 lifetimes included), one upstream request per object
  // (cache lock), revalidation with the ETag, and a read timeout above the origin's hold (D).
  const std::string config =
      Preamble(dir) + "  proxy_cache_path " + dir +
      "/cache levels=1:2 keys_zone=onair:8m max_size=1g inactive=10m use_temp_path=off;\n"
      "  upstream origin { server 127.0.0.1:" +
      std::to_string(upstream_port) +
      "; keepalive 16; }\n"
      "  server {\n"
      "    listen 127.0.0.1:" +
      std::to_string(port) +
      ";\n"
      "    location / {\n"
      "      proxy_pass http://origin;\n"
      "      proxy_http_version 1.1;\n"
      "      proxy_set_header Connection \"\";\n"
      "      proxy_cache onair;\n"
      "      proxy_cache_lock on;\n"
      "      proxy_cache_lock_timeout 5s;\n"
      "      proxy_cache_revalidate on;\n"
      "      proxy_read_timeout 10s;\n"
      "      add_header X-Cache-Status $upstream_cache_status always;\n"
      "    }\n  }\n}\n";
  WriteFile(dir + "/nginx.conf", config);
  proc_ = std::make_unique<Background>(
      std::vector<std::string>{"nginx", "-p", dir, "-e", dir + "/error.log", "-c",
                               dir + "/nginx.conf"},
      dir + "/stdout.log");
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < until) {
    if (RawSocket(port).connected()) {
      port_ = port;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

NginxCache::~NginxCache() {
  if (proc_) {
    proc_->Signal(SIGQUIT);
    proc_->Wait(5);
  }
}

std::string NginxCache::error_log() const { return ReadFile(dir_ + "/error.log"); }

}  // namespace onair::test
