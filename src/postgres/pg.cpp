#include "pg.h"

#include <poll.h>

#include <limits>
#include <utility>

#include "../database_url.h"
#include "../strings.h"
#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"

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

// Classifies a failed connection by libpq's message: libpq does not expose
// the SQLSTATE of a refused connection. The server's messages are in
// English unless its lc_messages says otherwise; anything unrecognised is
// reported as unreachable (Unavailable), with the message.
absl::Status connect_failure(PGconn* conn) {
  const std::string message = one_line(PQerrorMessage(conn));
  const absl::string_view m = message;
  const std::string where =
      internal::cat("database \"", PQdb(conn) ? PQdb(conn) : "", "\" at ",
                    PQhost(conn) ? PQhost(conn) : "", ":", PQport(conn) ? PQport(conn) : "");
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
  return absl::UnavailableError(
      internal::cat("cannot reach the PostgreSQL server for ", where, ": ", message));
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
  const char* state_field = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string_view state = state_field ? state_field : "";
  if (broken(conn) || is_unavailable_sqlstate(state)) {
    const char* m = result ? PQresultErrorMessage(result) : PQerrorMessage(conn);
    return absl::UnavailableError(
        internal::cat(what, ": PostgreSQL connection trouble: ", one_line(m)));
  }
  if (result == nullptr) {
    return absl::InternalError(internal::cat(what, ": ", one_line(PQerrorMessage(conn))));
  }
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL);
  std::string message =
      internal::cat(what, ": ", one_line(primary ? primary : PQresultErrorMessage(result)));
  if (detail != nullptr) message = internal::cat(message, " (", one_line(detail), ")");
  if (!state.empty()) message = internal::cat(message, " [SQLSTATE ", state, "]");
  if (state == "23505") return absl::AlreadyExistsError(message);
  if (state == "P0002") return absl::NotFoundError(message);
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
  Conn conn(PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
  if (conn == nullptr) return absl::ResourceExhaustedError("libpq could not allocate a connection");
  if (PQstatus(conn.get()) != CONNECTION_OK) return connect_failure(conn.get());
  // Notices (e.g. "relation already exists, skipping") are not errors; drop them.
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  return conn;
}

absl::Status check_url(std::string_view database_url) {
  if (database_url.find('\0') != std::string_view::npos) {
    return absl::InvalidArgumentError("malformed database URL: it contains a NUL byte");
  }
  // libpq reads the user info of a URI only up to the first '/' or '@': in
  // postgresql://alice:pa/ss@host/db it would take "alice" for the host and
  // "pa" for the port, and in postgresql://u:p?x@y@host/db "y@host" for the
  // host, and print those pieces of the password in its errors. The user
  // info is read as redact_database_url reads it (database_url.h).
  if (const size_t at = internal::uri_user_info_end(database_url);
      at != std::string_view::npos) {
    const size_t start = internal::uri_user_info_start(database_url);
    if (database_url.substr(start, at - start).find_first_of("/@") != std::string_view::npos) {
      return absl::InvalidArgumentError(
          "malformed database URL: its user name or password holds a '/' or '@'; "
          "percent-encode them (%2F, %40)");
    }
  }
  const std::string url(database_url);
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options != nullptr) {
    PQconninfoFree(options);
    return absl::OkStatus();
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
