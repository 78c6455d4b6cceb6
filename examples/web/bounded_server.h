// BoundedServer: cpp-httplib's routing and request parser behind an accept loop and connection
// workers of our own, so that slow clients cannot starve the server.
//
// cpp-httplib 0.11 (Debian 12) times out each recv() but not a request: a client that sends one
// byte every few seconds holds one of its 8 pool threads for hours, and 8 of them stop the
// server. Here every connection gets a thread of its own, up to `connections_max`; one request,
// from its first byte to its last, must arrive within `request_timeout`; the request line and
// headers are capped in bytes, and so is the body. The connection past the cap is answered 503
// at once; a request over a limit is answered 408, 413 or 431 (see limit_hit()).
//
//   BoundedServer server({.connections_max = 64});
//   server.Get("/health", ...);                       // httplib::Server's routing, as usual
//   std::atomic<bool> stop{false};
//   if (!server.serve("127.0.0.1", 8080, stop)) ...   // returns once `stop` is set
//
// Thread-safety: serve() runs on one thread; handlers run on the connection threads, many at
// once, as with httplib::Server.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace account_example {

struct BoundedServerOptions {
  // Connections served at once: each costs one thread and a 4 KiB buffer.
  int connections_max = 64;
  // One request, from its first byte to its last byte.
  std::chrono::milliseconds request_timeout{10'000};
  // Between two requests on one connection.
  std::chrono::milliseconds keep_alive_timeout{5'000};
  // Sending one response (each wait for the socket to take more).
  std::chrono::milliseconds write_timeout{5'000};
  // The request line and headers; one header line (httplib refuses longer ones too).
  size_t header_bytes_max = 16 * 1024;
  size_t header_line_bytes_max = 8 * 1024;
  // The body; also httplib's payload limit, so a declared Content-Length above it is 413.
  size_t body_bytes_max = 64 * 1024;
  // Called (on the accept thread) for a connection refused at the cap, with the peer address.
  std::function<void(const std::string& client)> on_refused;
};

// Which limit, if any, ended the current request (for the error handler, which runs on the
// request's thread).
enum class LimitHit { kNone, kTimeout, kHeadersTooLarge, kBodyTooLarge };

class BoundedServer : public httplib::Server {
 public:
  explicit BoundedServer(BoundedServerOptions options);

  // Binds host:port (SO_REUSEADDR) and serves until `stop` becomes true; then stops accepting,
  // shuts the open connections down and returns once their threads have finished. False when
  // the address cannot be bound.
  bool serve(const std::string& host, int port, const std::atomic<bool>& stop);

  // The limit that ended the request being handled on this thread, or kNone.
  static LimitHit limit_hit();

  // Ends the connection after the response being written on this thread (for an error
  // handler answering a request whose rest cannot be trusted to parse).
  static void close_after_response();

  // Milliseconds since the current request's budget began on this thread (for access logs).
  static int64_t request_elapsed_ms();

  // The JSON error body the server sends for `status` when it answers without a handler.
  static std::string error_body(int status);

 private:
  void serve_connection(int fd, const std::string& peer, int peer_port);

  BoundedServerOptions options_;
};

}  // namespace account_example
