#include "pg.h"

#include <libpq-events.h>
#include <poll.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <utility>

#include "base/database_url.h"
#include "base/strings.h"
#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "account/writer_fencing.h"

namespace account::pg {
namespace {

constexpr int kBinary = 1;

// libpq's messages end in a newline and may span lines ("FATAL: ...\nDETAIL: ...").
std::string one_line(const char* message) {
  std::string text = message == nullptr ? std::string() : std::string(message);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return absl::StrReplaceAll(text, {{"\n", "; "}});
}

bool is_unavailable_sqlstate(std::string_view state) {
  return absl::StartsWith(internal::to_absl(state), "08") ||   // connection exception
         absl::StartsWith(internal::to_absl(state), "53") ||   // insufficient resources
         absl::StartsWith(internal::to_absl(state), "57P") ||  // shutdown, cannot connect now
         state == "40001" || state == "40P01" ||               // serialization, deadlock
         state == "57014";                                     // statement timeout, cancel
}

// The password candidates of the URL a connection was opened with
// (database_url.h), kept on the connection as libpq instance data, so that
// status_of() scrubs them from whatever libpq says on it later, whoever
// holds the connection. libpq copies an event registration into each
// result it makes: two small allocations a result, beside a round trip.
struct Secrets {
  std::vector<std::string> candidates;
};

int secrets_event(PGEventId event, void* info, void* /*pass_through*/) {
  if (event == PGEVT_CONNDESTROY) {
    PGconn* conn = static_cast<PGEventConnDestroy*>(info)->conn;
    delete static_cast<Secrets*>(PQinstanceData(conn, secrets_event));
  }
  return 1;  // Any other event: nothing to do, and never a failure.
}

// The candidates of `conn`: its URL's, and the password libpq used (which
// may come from a password file rather than the URL).
std::vector<std::string> candidates_of(const PGconn* conn) {
  std::vector<std::string> out;
  if (conn == nullptr) return out;
  if (const auto* secrets = static_cast<const Secrets*>(PQinstanceData(conn, secrets_event))) {
    out = secrets->candidates;
  }
  if (const char* password = PQpass(conn); password != nullptr && *password != '\0') {
    out.emplace_back(password);
  }
  return out;
}

// libpq text (one line) with every candidate replaced by "***".
std::string scrubbed(const char* message, const std::vector<std::string>& candidates) {
  return internal::scrub(one_line(message), candidates);
}

// Whether libpq refused a connection for its settings, before (or instead
// of) reaching a server, or the server refused a startup option the URL
// set: the configuration's fault, which a retry would meet again. Messages
// of libpq 14 to 17 and of the server. The first seven are those of
// libpq's parser, for a URL that reaches connect() without check_url().
bool settings_refused(absl::string_view m) {
  for (absl::string_view pattern : {"in connection info string",
                                    "invalid percent-encoded token",
                                    "forbidden value %00",
                                    "URI query parameter",
                                    "IPv6 host address",
                                    "in URI (expected",
                                    "invalid URI ",
                                    "invalid integer value \"",
                                    "invalid port number",
                                    "could not match ",
                                    "invalid connection option",
                                    "could not parse network address",
                                    "is too long (maximum",
                                    "SSL protocol version",
                                    "invalid when SSL support is not compiled in",
                                    "service file \"",
                                    "definition of service \"",
                                    "host name must be specified",
                                    "require_auth",
                                    "requirepeer parameter is not supported",
                                    "invalid LDAP URL",
                                    "invalid value for parameter",
                                    "unrecognized configuration parameter"}) {
    if (absl::StrContains(m, pattern)) return true;
  }
  // "invalid sslmode value: \"...\"", and so for gssencmode, channel_binding,
  // target_session_attrs, load_balance_hosts and sslnegotiation.
  const size_t invalid = m.find("invalid ");
  return invalid != absl::string_view::npos &&
         m.find(" value: \"", invalid) != absl::string_view::npos;
}

// Classifies a failed connection by libpq's message: libpq does not expose
// the SQLSTATE of a refused connection. The server's messages are in
// English unless its lc_messages says otherwise; anything unrecognised is
// reported as unreachable (Unavailable), with the message. Every piece of
// libpq text is scrubbed of `candidates` first: with a password misread as
// the port, libpq names it both as the port and in its own message.
absl::Status connect_failure(PGconn* conn, const std::vector<std::string>& candidates) {
  const std::string raw = one_line(PQerrorMessage(conn));
  const absl::string_view m = raw;
  const std::string message = internal::scrub(raw, candidates);
  const std::string where =
      internal::cat("database \"", scrubbed(PQdb(conn), candidates), "\" at ",
                    scrubbed(PQhost(conn), candidates), ":", scrubbed(PQport(conn), candidates));
  if (settings_refused(m)) {
    return absl::InvalidArgumentError(
        internal::cat("the connection settings are invalid for ", where, ": ", message));
  }
  if (absl::StrContains(m, "password authentication failed") ||
      absl::StrContains(m, "no password supplied") ||
      absl::StrContains(m, "authentication failed") ||
      (absl::StrContains(m, "role \"") && absl::StrContains(m, "does not exist"))) {
    return absl::UnauthenticatedError(
        internal::cat("PostgreSQL refused the user or password for ", where, ": ", message));
  }
  if (absl::StrContains(m, "no pg_hba.conf entry") ||
      absl::StrContains(m, "not permitted to log in") ||
      absl::StrContains(m, "permission denied for database")) {
    return absl::PermissionDeniedError(
        internal::cat("PostgreSQL does not let this user connect to ", where, ": ", message));
  }
  if (absl::StrContains(m, "database \"") && absl::StrContains(m, "does not exist")) {
    return absl::NotFoundError(internal::cat("PostgreSQL has no ", where, ": ", message));
  }
  // target_session_attrs=read-write (docs/ha.md): every host answered, none as a primary. In a
  // failover that is a moment (a standby is being promoted); otherwise the URL names no primary.
  if (absl::StrContains(m, "session is read-only") ||
      absl::StrContains(m, "is in hot standby mode") ||
      absl::StrContains(m, "could not make a writable connection")) {
    return absl::UnavailableError(internal::cat(
        "no host the URL lists accepted writes (target_session_attrs=read-write): each that "
        "answered is a standby or read-only, so the URL names no primary, or a failover is "
        "under way; ",
        message));
  }
  return absl::UnavailableError(
      internal::cat("cannot reach the PostgreSQL server for ", where, ": ", message));
}

// The password candidates of the settings `connect()` is given: of a
// connection string or URI in dbname (which libpq expands; a plain database
// name is no candidate), and a password setting.
std::vector<std::string> settings_candidates(const char* const* keywords,
                                             const char* const* values) {
  std::vector<std::string> out;
  for (size_t i = 0; keywords[i] != nullptr; ++i) {
    if (values[i] == nullptr || *values[i] == '\0') continue;
    const std::string_view key = keywords[i];
    const std::string_view value = values[i];
    if (key == "password") out.emplace_back(value);
    if (key == "dbname" &&
        (internal::is_postgres_uri(value) || value.find('=') != std::string_view::npos)) {
      std::vector<std::string> more = internal::password_candidates(value);
      out.insert(out.end(), std::make_move_iterator(more.begin()),
                 std::make_move_iterator(more.end()));
    }
  }
  return out;
}

// Whether libpq reads `text` as an int setting: optional white space, a
// sign, digits that fit an int, optional white space (its parse_int_param).
bool is_int_setting(std::string_view text) {
  const std::string copy(text);
  errno = 0;
  char* end = nullptr;
  const long value = std::strtol(copy.c_str(), &end, 10);
  if (end == copy.c_str() || errno != 0 || value < INT_MIN || value > INT_MAX) return false;
  while (*end != '\0' && std::isspace(static_cast<unsigned char>(*end)) != 0) ++end;
  return *end == '\0';
}

size_t count_elements(std::string_view list) {
  return static_cast<size_t>(std::count(list.begin(), list.end(), ',')) + 1;
}

// The settings that libpq reads only when it connects, after it may have
// reached for the network: a port or a timeout that is not a number would
// come back as an unreachable server, which looks worth retrying. Checked
// on what PQconninfoParse read (a URI's host list and query, and the
// key=value form alike), without quoting any value.
absl::Status check_settings(const PQconninfoOption* options) {
  std::string_view host;
  std::string_view hostaddr;
  std::string_view port;
  for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string_view key = o->keyword;
    const std::string_view value = o->val;
    if (key == "host") host = value;
    if (key == "hostaddr") hostaddr = value;
    if (key == "port") port = value;
    if ((key == "connect_timeout" || key == "keepalives" || key == "keepalives_idle" ||
         key == "keepalives_interval" || key == "keepalives_count" || key == "tcp_user_timeout") &&
        !is_int_setting(value)) {
      return absl::InvalidArgumentError(
          internal::cat("malformed database URL: its ", key, " is not a whole number"));
    }
  }
  if (!internal::is_port_list(port)) {
    return absl::InvalidArgumentError(
        internal::cat("malformed database URL: ", internal::kPortProblem));
  }
  // Counted only when the URL names the hosts: PGHOST and friends may
  // supply them otherwise.
  const std::string_view hosts = hostaddr.empty() ? host : hostaddr;
  if (!host.empty() && !hostaddr.empty() && count_elements(host) != count_elements(hostaddr)) {
    return absl::InvalidArgumentError(
        "malformed database URL: it gives a different number of host and hostaddr values");
  }
  if (!hosts.empty() && !port.empty() && count_elements(port) != 1 &&
      count_elements(port) != count_elements(hosts)) {
    return absl::InvalidArgumentError(
        "malformed database URL: it gives more than one port, but not one for each host");
  }
  return absl::OkStatus();
}

absl::Status expect_ok(PGconn* conn, const PGresult* result, std::string_view what) {
  const ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return absl::OkStatus();
  return status_of(conn, result, what);
}

absl::Status send_step(PGconn* conn, const Step& step) {
  int sent = 0;
  if (step.prepared != nullptr) {
    const Params none;
    const Params& p = step.params != nullptr ? *step.params : none;
    sent = PQsendQueryPrepared(conn, step.prepared, p.count(), p.values(), p.lengths(), p.formats(),
                               kBinary);
  } else {
    sent = PQsendQueryParams(conn, step.sql, 0, nullptr, nullptr, nullptr, nullptr, kBinary);
  }
  if (sent == 1) return absl::OkStatus();
  return status_of(conn, nullptr, step.prepared != nullptr ? step.prepared : step.sql);
}

// Reads results until the sync: one per step, each followed by a null.
absl::Status collect(PGconn* conn, absl::Span<const Step> steps, std::vector<Result>& out) {
  absl::Status first_error;
  size_t nulls = 0;
  while (true) {
    Result r(PQgetResult(conn));
    if (r == nullptr) {
      if (broken(conn) || ++nulls > steps.size() + 1) {
        if (first_error.ok()) first_error = status_of(conn, nullptr, "reading pipeline results");
        return first_error;
      }
      continue;
    }
    const ExecStatusType status = PQresultStatus(r.get());
    if (status == PGRES_PIPELINE_SYNC) return first_error;
    if (status != PGRES_PIPELINE_ABORTED && first_error.ok()) {
      const Step& step = steps[std::min(out.size(), steps.size() - 1)];
      first_error = expect_ok(conn, r.get(), step.prepared ? step.prepared : step.sql);
    }
    out.push_back(std::move(r));
  }
}

}  // namespace

int64_t time_to_ns(absl::Time t) {
  if (t == absl::InfiniteFuture()) return std::numeric_limits<int64_t>::max();
  if (t == absl::InfinitePast()) return std::numeric_limits<int64_t>::min();
  return absl::ToUnixNanos(t);
}

absl::Time time_from_ns(int64_t ns) {
  if (ns == std::numeric_limits<int64_t>::max()) return absl::InfiniteFuture();
  if (ns == std::numeric_limits<int64_t>::min()) return absl::InfinitePast();
  return absl::FromUnixNanos(ns);
}

namespace detail {
std::string array_header(Oid type, size_t n, size_t element_bytes) {
  std::string out;
  out.reserve(20 + n * element_bytes);
  if (n == 0) {  // array_recv takes zero dimensions for an empty array.
    put_be32(out, 0);
    put_be32(out, 0);
    put_be32(out, type);
    return out;
  }
  put_be32(out, 1);  // Dimensions.
  put_be32(out, 0);  // Has nulls.
  put_be32(out, type);
  put_be32(out, static_cast<uint32_t>(n));
  put_be32(out, 1);  // Lower bound.
  return out;
}
}  // namespace detail

void Params::add_int8(int64_t value) {
  std::string out;
  detail::put_be64(out, static_cast<uint64_t>(value));
  push(std::move(out), 1);
}

void Params::add_text(std::string_view value) { push(std::string(value), 0); }

void Params::add_bytea(std::string_view value) { push(std::string(value), 1); }

void Params::push(std::string buffer, int format) {
  buffers_.push_back(std::move(buffer));
  values_.clear();
  lengths_.clear();
  for (const std::string& b : buffers_) {
    values_.push_back(b.data());
    lengths_.push_back(static_cast<int>(b.size()));
  }
  formats_.push_back(format);
}

absl::Status expect_columns(const PGresult* result, std::string_view shape, std::string_view what) {
  bool ok = PQnfields(result) == static_cast<int>(shape.size());
  for (int c = 0; ok && c < PQnfields(result); ++c) {
    const Oid want = shape[static_cast<size_t>(c)] == 'i' ? kInt8Oid : kByteaOid;
    ok = PQftype(result, c) == want && PQfformat(result, c) == kBinary;
  }
  if (ok) return absl::OkStatus();
  return absl::InternalError(
      internal::cat(what, ": result columns do not match the expected shape ", shape));
}

int64_t get_int(const PGresult* result, int row, int column) {
  if (PQgetisnull(result, row, column)) return 0;
  const auto* p = reinterpret_cast<const unsigned char*>(PQgetvalue(result, row, column));
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return static_cast<int64_t>(v);
}

std::string get_bytes(const PGresult* result, int row, int column) {
  return std::string(PQgetvalue(result, row, column),
                     static_cast<size_t>(PQgetlength(result, row, column)));
}

absl::StatusOr<std::vector<Result>> run_pipeline(PGconn* conn, absl::Span<const Step> steps) {
  if (PQenterPipelineMode(conn) != 1) return status_of(conn, nullptr, "entering pipeline mode");
  absl::Status status;
  for (const Step& step : steps) {
    status = send_step(conn, step);
    if (!status.ok()) break;
  }
  if (status.ok() && PQpipelineSync(conn) != 1) {
    status = status_of(conn, nullptr, "sending the pipeline");
  }
  std::vector<Result> results;
  // A failed send leaves the pipeline without its sync; the caller drops
  // such a connection (it is not idle), so there is nothing to read.
  if (status.ok()) status = collect(conn, steps, results);
  if (!broken(conn) && PQpipelineStatus(conn) == PQ_PIPELINE_ON) PQexitPipelineMode(conn);
  if (!status.ok()) {
    if (!broken(conn) && PQtransactionStatus(conn) == PQTRANS_INERROR) {
      PQclear(PQexec(conn, "ROLLBACK"));
    }
    return status;
  }
  return results;
}

namespace {

// One FETCH of stream_rows(), sent in pipeline mode and flushed to the
// server at once (a pipeline's results wait in the server's buffer until a
// flush or a sync).
absl::Status send_fetch(PGconn* conn, const std::string& fetch) {
  if (PQsendQueryParams(conn, fetch.c_str(), 0, nullptr, nullptr, nullptr, nullptr, kBinary) != 1 ||
      PQsendFlushRequest(conn) != 1 || PQflush(conn) != 0) {
    return status_of(conn, nullptr, fetch);
  }
  return absl::OkStatus();
}

// The result of the next statement of a pipeline (and the null that ends
// it). `what` names the statement in an error.
absl::StatusOr<Result> next_result(PGconn* conn, std::string_view what) {
  Result r(PQgetResult(conn));
  if (r == nullptr) return status_of(conn, nullptr, what);
  Result end(PQgetResult(conn));  // The null that ends this statement's results.
  if (PQresultStatus(r.get()) == PGRES_PIPELINE_ABORTED) {
    return absl::AbortedError(internal::cat(what, ": skipped after an earlier error"));
  }
  if (absl::Status ok = expect_ok(conn, r.get(), what); !ok.ok()) return ok;
  return r;
}

// Reads the DECLARE and the two FETCHes stream_rows() sent, then each
// FETCH's batch, sending the next before `read` converts this one: two in
// flight. Stops sending at the first short batch (the cursor's end) or the
// first error; what is still in flight is read and dropped.
absl::Status read_fetches(PGconn* conn, const std::string& declare, const std::string& fetch,
                          int rows_per_fetch,
                          absl::FunctionRef<absl::Status(const PGresult*)> read) {
  absl::Status first = next_result(conn, declare).status();
  if (broken(conn)) return first;
  int in_flight = 2;
  bool more = first.ok();
  while (in_flight > 0) {
    absl::StatusOr<Result> batch = next_result(conn, fetch);
    --in_flight;
    if (!batch.ok()) {
      if (first.ok()) first = batch.status();
      more = false;
      if (broken(conn)) return first;
      continue;
    }
    if (!more) continue;
    more = PQntuples(batch->get()) == rows_per_fetch;
    if (more) {
      if (absl::Status ok = send_fetch(conn, fetch); !ok.ok()) return ok;
      ++in_flight;
    }
    if (absl::Status ok = read(batch->get()); !ok.ok()) {
      first = ok;
      more = false;
    }
  }
  return first;
}

}  // namespace

absl::Status stream_rows(PGconn* conn, const char* cursor, const char* query,
                         const Params& params, int rows_per_fetch,
                         absl::FunctionRef<absl::Status(const PGresult*)> read) {
  const std::string declare = internal::cat("DECLARE ", cursor, " NO SCROLL CURSOR FOR ", query);
  const std::string fetch = internal::cat("FETCH FORWARD ", rows_per_fetch, " FROM ", cursor);
  const std::string close = internal::cat("CLOSE ", cursor);
  if (PQenterPipelineMode(conn) != 1) return status_of(conn, nullptr, "entering pipeline mode");
  absl::Status status;
  if (PQsendQueryParams(conn, declare.c_str(), params.count(), nullptr, params.values(),
                        params.lengths(), params.formats(), kBinary) != 1) {
    status = status_of(conn, nullptr, declare);
  }
  for (int k = 0; k < 2 && status.ok(); ++k) status = send_fetch(conn, fetch);
  if (status.ok()) status = read_fetches(conn, declare, fetch, rows_per_fetch, read);
  if (!broken(conn)) {
    // CLOSE frees the cursor's memory on the server now rather than at the
    // transaction's end; after an error it is skipped, as the rest of the
    // pipeline is, and the transaction is left in error for the caller.
    if (status.ok() && PQsendQueryParams(conn, close.c_str(), 0, nullptr, nullptr, nullptr,
                                         nullptr, kBinary) != 1) {
      status = status_of(conn, nullptr, close);
    }
    if (PQpipelineSync(conn) == 1) {
      // The CLOSE's result, if it was sent, then the sync.
      std::vector<Result> rest;
      const Step steps[] = {{.sql = close.c_str()}};
      const absl::Status synced = collect(conn, steps, rest);
      if (status.ok()) status = synced;
    } else if (status.ok()) {
      status = status_of(conn, nullptr, "sending the pipeline");
    }
  }
  if (!broken(conn) && PQpipelineStatus(conn) == PQ_PIPELINE_ON) PQexitPipelineMode(conn);
  return status;
}

absl::Status exec(PGconn* conn, const char* sql, std::string_view what) {
  Result r(PQexec(conn, sql));
  return expect_ok(conn, r.get(), what);
}

absl::StatusOr<Result> exec_params(PGconn* conn, const char* sql, const Params& params,
                                   std::string_view what) {
  Result r(PQexecParams(conn, sql, params.count(), nullptr, params.values(), params.lengths(),
                        params.formats(), kBinary));
  if (absl::Status ok = expect_ok(conn, r.get(), what); !ok.ok()) return ok;
  return r;
}

absl::StatusOr<Result> exec_prepared(PGconn* conn, const char* name, const Params& params) {
  Result r(PQexecPrepared(conn, name, params.count(), params.values(), params.lengths(),
                          params.formats(), kBinary));
  if (absl::Status ok = expect_ok(conn, r.get(), name); !ok.ok()) return ok;
  return r;
}

absl::Status prepare(PGconn* conn, const char* name, const char* sql) {
  Result r(PQprepare(conn, name, sql, 0, nullptr));
  return expect_ok(conn, r.get(), internal::cat("preparing ", name));
}

absl::Status status_of(PGconn* conn, const PGresult* result, std::string_view what) {
  const std::vector<std::string> candidates = candidates_of(conn);
  const char* state_field = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string_view state = state_field ? state_field : "";
  if (broken(conn) || is_unavailable_sqlstate(state)) {
    const char* m = result ? PQresultErrorMessage(result) : PQerrorMessage(conn);
    return absl::UnavailableError(
        internal::cat(what, ": PostgreSQL connection trouble: ", scrubbed(m, candidates)));
  }
  if (result == nullptr) {
    return absl::InternalError(
        internal::cat(what, ": ", scrubbed(PQerrorMessage(conn), candidates)));
  }
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL);
  std::string message = internal::cat(
      what, ": ", scrubbed(primary ? primary : PQresultErrorMessage(result), candidates));
  if (detail != nullptr) {
    message = internal::cat(message, " (", scrubbed(detail, candidates), ")");
  }
  if (!state.empty()) message = internal::cat(message, " [SQLSTATE ", state, "]");
  if (state == "23505") return absl::AlreadyExistsError(message);
  if (state == "P0002") return absl::NotFoundError(message);
  // The schema's account_journal_append(): the entry's seq is not the stored head's + 1. The
  // transaction was refused whole, and the connection is fine.
  if (state == kJournalSeqSqlstate) return absl::AbortedError(message);
  // The schema's account_journal_prune() refused the prune, whole: the connection is fine.
  if (state == kPruneCheckpointSqlstate) return absl::InvalidArgumentError(message);
  if (state == kPruneCursorSqlstate) return absl::FailedPreconditionError(message);
  if (state == kPruneTradesSqlstate) return absl::DataLossError(message);
  // account_writer_check(): another writer took the database; nothing of the transaction was
  // written, and nothing this writer sends will be (writer_fencing.h).
  if (state == kWriterFencedSqlstate) return writer_fenced_error(message);
  return absl::InternalError(message);
}

bool broken(const PGconn* conn) { return conn == nullptr || PQstatus(conn) == CONNECTION_BAD; }

bool hung_up(PGconn* conn) {
  // An idle session hears nothing from a live server but the odd notice; a
  // stopping server sends a FATAL error and closes. A few reads reach the
  // end of the stream, which libpq marks CONNECTION_BAD.
  constexpr int kReadsMax = 4;
  for (int i = 0; i < kReadsMax && !broken(conn); ++i) {
    pollfd socket{.fd = PQsocket(conn), .events = POLLIN, .revents = 0};
    if (socket.fd < 0) return true;
    if (poll(&socket, 1, /*timeout=*/0) <= 0) return false;
    if (PQconsumeInput(conn) == 0) return true;
  }
  return broken(conn);
}

absl::StatusOr<Conn> connect(const char* const* keywords, const char* const* values) {
  std::vector<std::string> candidates = settings_candidates(keywords, values);
  Conn conn(PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
  if (conn == nullptr) return absl::ResourceExhaustedError("libpq could not allocate a connection");
  if (const char* password = PQpass(conn.get()); password != nullptr && *password != '\0') {
    candidates.emplace_back(password);
  }
  if (PQstatus(conn.get()) != CONNECTION_OK) return connect_failure(conn.get(), candidates);
  // Notices (e.g. "relation already exists, skipping") are not errors; drop them.
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  // Without the instance data (libpq out of memory), status_of() still
  // scrubs the password libpq used.
  auto secrets = std::make_unique<Secrets>(Secrets{std::move(candidates)});
  if (PQregisterEventProc(conn.get(), secrets_event, "account::pg secrets", nullptr) == 1 &&
      PQsetInstanceData(conn.get(), secrets_event, secrets.get()) == 1) {
    secrets.release();  // Deleted by secrets_event() when the connection is.
  }
  return conn;
}

absl::Status check_url(std::string_view database_url) {
  // libpq reads the user info of a URI only up to the first '/' or '@': in
  // postgresql://alice:pa/ss@host/db it would take "alice" for the host and
  // "pa" for the port, and in postgresql://u:p?x@y@host/db "y@host" for the
  // host; with the '@' left out, postgresql://alice:secret/db makes the
  // password the port. It prints those pieces in its errors, so such URLs
  // are refused first, by the reading redact_database_url shares.
  if (std::optional<std::string> problem = internal::database_url_problem(database_url)) {
    return absl::InvalidArgumentError(internal::cat("malformed database URL: ", *problem));
  }
  const std::string url(database_url);
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options != nullptr) {
    const absl::Status settings = check_settings(options);
    PQconninfoFree(options);
    return settings;
  }
  const bool out_of_memory = error == nullptr;
  if (error != nullptr) PQfreemem(error);
  // libpq's own message quotes the part it could not read, which is often
  // the password (a bad percent escape in it, a space in a key=value
  // password): not shown.
  return absl::InvalidArgumentError(
      out_of_memory ? std::string("malformed database URL: out of memory while parsing it")
                    : std::string("malformed database URL: libpq cannot parse it (check its "
                                  "percent-escapes, and quote key=value values that hold "
                                  "spaces); its text is not shown, as it may hold a password"));
}

}  // namespace account::pg
