#include "bounded_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

namespace account_example {
namespace {

using Clock = std::chrono::steady_clock;

thread_local LimitHit t_limit_hit = LimitHit::kNone;
thread_local Clock::time_point t_request_start{};
thread_local bool t_close_after_response = false;

int poll_one(int fd, short events, std::chrono::milliseconds wait) {
  pollfd p{fd, events, 0};
  const int ms = static_cast<int>(std::max<int64_t>(0, wait.count()));
  int n;
  do {
    n = ::poll(&p, 1, ms);
  } while (n < 0 && errno == EINTR);
  return n;
}

// One connection's socket as httplib reads it: buffered, each request bounded in time (from its
// first byte) and in bytes (headers, then body). A limit hit fails the read, and is remembered in
// t_limit_hit for the error handler.
class BoundedStream final : public httplib::Stream {
 public:
  BoundedStream(int fd, std::string peer, int peer_port, const BoundedServerOptions& options)
      : fd_(fd), peer_(std::move(peer)), peer_port_(peer_port), options_(options) {}

  // Starts the next request's budget.
  void begin_request() {
    t_request_start = Clock::now();
    deadline_ = t_request_start + options_.request_timeout;
    in_headers_ = true;
    first_line_ = true;
    header_bytes_ = line_bytes_ = body_bytes_ = 0;
    wrote_ = false;
    t_limit_hit = LimitHit::kNone;
    t_close_after_response = false;
  }
  bool buffered() const { return begin_ < end_; }
  bool wrote() const { return wrote_; }

  bool is_readable() const override { return buffered() || poll_one(fd_, POLLIN, left()) > 0; }
  bool is_writable() const override { return poll_one(fd_, POLLOUT, options_.write_timeout) > 0; }

  ssize_t read(char* ptr, size_t size) override {
    if (t_limit_hit != LimitHit::kNone) return -1;
    if (!buffered()) {
      if (left().count() <= 0 || poll_one(fd_, POLLIN, left()) <= 0) {
        t_limit_hit = LimitHit::kTimeout;
        return -1;
      }
      const ssize_t n = ::recv(fd_, buffer_.data(), buffer_.size(), 0);
      if (n <= 0) return n;
      begin_ = 0;
      end_ = static_cast<size_t>(n);
    }
    size = std::min(size, end_ - begin_);
    for (size_t i = 0; i < size; ++i) {
      if (!count(buffer_[begin_ + i])) return -1;
    }
    std::memcpy(ptr, buffer_.data() + begin_, size);
    begin_ += size;
    return static_cast<ssize_t>(size);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (poll_one(fd_, POLLOUT, options_.write_timeout) <= 0) return -1;
    const ssize_t n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
    if (n > 0) wrote_ = true;
    return n;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = peer_;
    port = peer_port_;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip.clear();
    port = -1;
  }
  socket_t socket() const override { return fd_; }

 private:
  std::chrono::milliseconds left() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
  }

  // Accounts for one byte handed to httplib; false when it breaks a limit. The request line is
  // held to the header budget only, so that httplib can answer an over-long URI with its 414.
  bool count(char c) {
    if (!in_headers_) {
      if (++body_bytes_ > options_.body_bytes_max) t_limit_hit = LimitHit::kBodyTooLarge;
      return t_limit_hit == LimitHit::kNone;
    }
    ++header_bytes_;
    ++line_bytes_;
    const bool line_too_long = !first_line_ && line_bytes_ > options_.header_line_bytes_max;
    if (header_bytes_ > options_.header_bytes_max || line_too_long) {
      t_limit_hit = LimitHit::kHeadersTooLarge;
      return false;
    }
    if (c == '\n') {
      // An empty line ("\r\n" or "\n") ends the headers.
      if (!first_line_ && line_bytes_ <= 2) in_headers_ = false;
      first_line_ = false;
      line_bytes_ = 0;
    }
    return true;
  }

  const int fd_;
  const std::string peer_;
  const int peer_port_;
  const BoundedServerOptions& options_;
  std::array<char, 4096> buffer_{};
  size_t begin_ = 0;
  size_t end_ = 0;
  Clock::time_point deadline_{};
  bool in_headers_ = true;
  bool first_line_ = true;
  size_t header_bytes_ = 0;
  size_t line_bytes_ = 0;
  size_t body_bytes_ = 0;
  bool wrote_ = false;
};

void send_all(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

std::string canned_response(int status, const char* reason) {
  const std::string body = BoundedServer::error_body(status);
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nContent-Type: application/json\r\nCache-Control: no-store\r\nConnection: close"
         "\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

int listen_on(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return -1;
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, 128) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  return fd;
}

std::pair<std::string, int> peer_of(const sockaddr_storage& addr) {
  char text[INET6_ADDRSTRLEN] = {};
  int port = -1;
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    port = ntohs(in6->sin6_port);
  }
  return {text, port};
}

// The open connections, so that a stop can shut them down and wait for their threads.
struct Connections {
  std::mutex mu;
  std::condition_variable idle;
  std::set<int> open;
};

}  // namespace

BoundedServer::BoundedServer(BoundedServerOptions options) : options_(std::move(options)) {
  set_payload_max_length(options_.body_bytes_max);
}

LimitHit BoundedServer::limit_hit() { return t_limit_hit; }

void BoundedServer::close_after_response() { t_close_after_response = true; }

int64_t BoundedServer::request_elapsed_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t_request_start)
      .count();
}

std::string BoundedServer::error_body(int status) {
  const char* error = "HttpError";
  const char* message = "the request could not be served";
  switch (status) {
    case 400: error = "BadRequest"; message = "malformed request line or headers"; break;
    case 404: error = "NotFound"; message = "no such path"; break;
    case 405: error = "MethodNotAllowed"; message = "method not allowed on this path"; break;
    case 408: error = "RequestTimeout"; message = "the request did not arrive in time"; break;
    case 413: error = "BodyTooLarge"; message = "the request body is too large"; break;
    case 414: error = "UriTooLong"; message = "the request URI is too long"; break;
    case 431: error = "HeadersTooLarge"; message = "the request headers are too large"; break;
    case 500: error = "Internal"; message = "internal error"; break;
    case 503: error = "Unavailable"; message = "the server is busy; retry later"; break;
    default: break;
  }
  return std::string("{\"error\":\"") + error + "\",\"message\":\"" + message + "\"}";
}

void BoundedServer::serve_connection(int fd, const std::string& peer, int peer_port) {
  BoundedStream stream(fd, peer, peer_port, options_);
  for (int served = 0; served < 100; ++served) {
    // Idle between requests: wait for the next one's first byte.
    if (!stream.buffered() && poll_one(fd, POLLIN, options_.keep_alive_timeout) <= 0) break;
    stream.begin_request();
    bool closed = false;
    const bool ok = process_request(stream, /*close_connection=*/served == 99, closed,
                                    [&](httplib::Request& req) {
                                      req.remote_addr = peer;
                                      req.remote_port = peer_port;
                                    });
    const LimitHit hit = t_limit_hit;
    if (hit != LimitHit::kNone && !stream.wrote()) {
      // httplib gave up without answering (a limit hit inside the request line).
      send_all(fd, hit == LimitHit::kTimeout ? canned_response(408, "Request Timeout")
                                             : canned_response(431, "Request Header Fields Too Large"));
    }
    // After a limit the rest of the request is unread: the connection cannot go on.
    if (!ok || closed || hit != LimitHit::kNone || t_close_after_response) break;
  }
  t_limit_hit = LimitHit::kNone;
}

bool BoundedServer::serve(const std::string& host, int port, const std::atomic<bool>& stop) {
  const int listener = listen_on(host, port);
  if (listener < 0) return false;
  Connections connections;
  while (!stop.load(std::memory_order_relaxed)) {
    if (poll_one(listener, POLLIN, std::chrono::milliseconds(200)) <= 0) continue;
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    const int fd = ::accept4(listener, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_CLOEXEC);
    if (fd < 0) continue;
    const int yes = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    auto [peer, peer_port] = peer_of(addr);
    std::unique_lock<std::mutex> lock(connections.mu);
    if (static_cast<int>(connections.open.size()) >= options_.connections_max) {
      lock.unlock();
      // A fresh socket's send buffer is empty: this never blocks.
      send_all(fd, canned_response(503, "Service Unavailable"));
      ::shutdown(fd, SHUT_RDWR);
      ::close(fd);
      if (options_.on_refused) options_.on_refused(peer);
      continue;
    }
    connections.open.insert(fd);
    lock.unlock();
    std::thread([this, fd, &connections, peer = std::move(peer), peer_port = peer_port] {
      serve_connection(fd, peer, peer_port);
      std::lock_guard<std::mutex> guard(connections.mu);
      ::shutdown(fd, SHUT_RDWR);
      ::close(fd);
      connections.open.erase(fd);
      connections.idle.notify_all();
    }).detach();
  }
  ::close(listener);
  std::unique_lock<std::mutex> lock(connections.mu);
  // Wakes every connection thread out of its poll; each closes its own descriptor.
  for (const int fd : connections.open) ::shutdown(fd, SHUT_RDWR);
  connections.idle.wait(lock, [&] { return connections.open.empty(); });
  return true;
}

}  // namespace account_example
